// Package slackexporttest writes Slack workspace exports for tests and
// benchmarks: small ones from literal files, and large generated ones
// written as they are generated (a million messages never sit in memory).
package slackexporttest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Write writes a ZIP with the given files (name → content) to dir/name and
// returns its path. Names are written as given, so a test can build a
// zip-slip entry.
func Write(tb testing.TB, dir, name string, files map[string]string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(w, files[n]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// JSON renders v indented as Slack's exports are.
func JSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// GenerateOptions shape a generated export.
type GenerateOptions struct {
	Messages int     // total messages
	Channels int     // public channels (10 when zero)
	Users    int     // members (200 when zero)
	PerDay   int     // messages per channel-day file (500 when zero)
	Threaded float64 // share of messages that are thread replies (0.3 when zero)
	Captured float64 // share of messages reacted 💡 (0.02 when zero)
	Seed     uint64
}

// Generate writes a Slack export of o.Messages messages to w: users.json,
// channels.json and channel-day files, with threads and capture reactions.
// It streams: each message is encoded and written at once.
func Generate(w io.Writer, o GenerateOptions) error {
	if o.Channels == 0 {
		o.Channels = 10
	}
	if o.Users == 0 {
		o.Users = 200
	}
	if o.PerDay == 0 {
		o.PerDay = 500
	}
	if o.Threaded == 0 {
		o.Threaded = 0.3
	}
	if o.Captured == 0 {
		o.Captured = 0.02
	}
	r := rand.New(rand.NewPCG(o.Seed, 7))
	zw := zip.NewWriter(w)
	type u struct {
		ID      string `json:"id"`
		TeamID  string `json:"team_id"`
		Name    string `json:"name"`
		Profile struct {
			DisplayName string `json:"display_name"`
		} `json:"profile"`
	}
	users := make([]u, o.Users)
	for i := range users {
		users[i].ID, users[i].TeamID, users[i].Name = fmt.Sprintf("U%06d", i), "TBENCH", fmt.Sprintf("member%d", i)
		users[i].Profile.DisplayName = users[i].Name
	}
	if err := writeJSON(zw, "users.json", users); err != nil {
		return err
	}
	type ch struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	chans := make([]ch, o.Channels)
	for i := range chans {
		chans[i] = ch{fmt.Sprintf("C%06d", i), fmt.Sprintf("channel-%d", i)}
	}
	if err := writeJSON(zw, "channels.json", chans); err != nil {
		return err
	}
	words := strings.Fields("deploy build cache docker kubernetes certificate nginx timeout retry database index " +
		"migration backup token rotate release merge rebase upgrade rollback alert latency memory goroutine " +
		"deadlock profile benchmark context deadline grpc schema session dns firewall terraform helm cron")
	text := func(n int) string {
		var sb strings.Builder
		for i := range n {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[r.IntN(len(words))])
		}
		return sb.String()
	}
	perChannel := (o.Messages + o.Channels - 1) / o.Channels
	written := 0
	for c := range chans {
		ts := int64(1_600_000_000)
		var roots []string
		for day := 0; written < o.Messages && day*o.PerDay < perChannel; day++ {
			f, err := zw.Create(fmt.Sprintf("%s/%d-%02d-%02d.json", chans[c].Name, 2020+day/336, 1+day/28%12, 1+day%28))
			if err != nil {
				return err
			}
			if _, err := io.WriteString(f, "[\n"); err != nil {
				return err
			}
			enc := json.NewEncoder(f)
			for i := 0; i < o.PerDay && written < o.Messages && day*o.PerDay+i < perChannel; i++ {
				ts += 30
				m := map[string]any{"type": "message", "user": users[r.IntN(len(users))].ID,
					"text": text(8 + r.IntN(30)), "ts": fmt.Sprintf("%d.%06d", ts, i)}
				if len(roots) > 0 && r.Float64() < o.Threaded {
					m["thread_ts"] = roots[r.IntN(len(roots))]
				} else {
					roots = append(roots, m["ts"].(string))
					if len(roots) > 50 {
						roots = roots[1:]
					}
				}
				if r.Float64() < o.Captured {
					m["reactions"] = []map[string]any{{"name": "bulb", "count": 2,
						"users": []string{users[r.IntN(len(users))].ID, users[r.IntN(len(users))].ID}}}
				}
				if i > 0 {
					if _, err := io.WriteString(f, ",\n"); err != nil {
						return err
					}
				}
				if err := enc.Encode(m); err != nil {
					return err
				}
				written++
			}
			if _, err := io.WriteString(f, "]\n"); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

func writeJSON(zw *zip.Writer, name string, v any) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(v)
}
