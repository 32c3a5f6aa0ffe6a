package slackexport_test

import (
	"context"
	"errors"
	"testing"

	"github.com/repertoire/repertoire/adapters/exportfile"
	"github.com/repertoire/repertoire/adapters/slackexport"
	"github.com/repertoire/repertoire/adapters/slackexport/slackexporttest"
	"github.com/repertoire/repertoire/bot"
)

// FuzzRead feeds arbitrary bytes as a channel-day file and as users.json:
// reading never panics, and every failure names the file.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`[{"type":"message","user":"U1","ts":"1.2","text":"hi","reactions":[{"name":"bulb","users":["U1"]}]}]`), []byte(`[{"id":"U1","name":"a"}]`))
	f.Add([]byte("[\n{\"type\":\"message\",\"ts\":\"x\xff\"}"), []byte(`{}`))
	f.Add([]byte(`[1, "a", null, {"thread_ts": 5}]`), []byte(`[{"id":""}]`))
	f.Fuzz(func(t *testing.T, day, users []byte) {
		dir := t.TempDir()
		zip := slackexporttest.Write(t, dir, "f.zip", map[string]string{
			"users.json": string(users), "channels.json": `[{"id":"C1","name":"c"}]`, "c/2024-01-01.json": string(day)})
		a, err := slackexport.Open(context.Background(), zip, slackexport.Options{})
		if err != nil {
			var fe *exportfile.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error without a file: %v", err)
			}
			return
		}
		defer a.Close()
		for _, u := range a.Units() {
			err := a.Read(context.Background(), u, func(bot.HistoryMessage) error { return nil })
			var fe *exportfile.Error
			if err != nil && !errors.As(err, &fe) {
				t.Fatalf("error without a file: %v", err)
			}
		}
	})
}
