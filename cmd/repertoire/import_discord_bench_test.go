package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var benchCaptures = flag.Int("import-captures", 10_000, "captures (💡-reacted messages) in the one DiscordChatExporter file of BenchmarkImportDiscordFile")

// writeDiscordExport writes a DiscordChatExporter JSON file of one channel
// with n messages, each reacted 💡 by another member: n captures.
func writeDiscordExport(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"guild":{"id":"G1","name":"Gophers"},"channel":{"id":"C1","type":"GuildTextChat","name":"ops"},"messages":[`)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, `{"id":"%d","type":"Default","timestamp":%q,"content":"tip %d: restart the worker pool after a config reload, it keeps stale sockets open",`+
			`"author":{"id":"A%d","name":"member%d","isBot":false},"reactions":[{"emoji":{"id":"","name":"💡","code":"bulb"},"count":1,`+
			`"users":[{"id":"B%d","name":"saver%d","isBot":false}]}]}`,
			1_000_000+i, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i, i%50, i%50, i%40, i%40)
	}
	fmt.Fprintf(w, `],"messageCount":%d}`, n)
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// BenchmarkImportDiscordFile imports one DiscordChatExporter file holding
// -import-captures captures through the real command and reports captures
// per second and the process's peak resident set. Run each size in its
// own process, so the peak is that size's:
//
//	go test ./cmd/repertoire -run '^$' -bench ImportDiscordFile -benchtime 1x -args -import-captures 100000
func BenchmarkImportDiscordFile(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "export.json")
	if err := writeDiscordExport(path, *benchCaptures); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.Logf("generated %d captures: %.1f MB of JSON", *benchCaptures, float64(st.Size())/(1<<20))
	before := vmHWM()
	var elapsed time.Duration
	i := 0
	for b.Loop() {
		env := map[string]string{"REPERTOIRE_DB": filepath.Join(dir, fmt.Sprint("bench", i, ".db")), "REPERTOIRE_LOG_LEVEL": "warn"}
		i++
		start := time.Now()
		var out strings.Builder
		if err := run(context.Background(), []string{"import", "discord", "-progress", "none", path},
			func(k string) string { return env[k] }, strings.NewReader(""), &out, &strings.Builder{}); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if i == 1 {
			b.Log(strings.TrimSpace(out.String()))
		}
	}
	b.ReportMetric(float64(*benchCaptures)*float64(i)/elapsed.Seconds(), "captures/s")
	if rss := vmHWM(); rss > 0 {
		b.ReportMetric(rss/1024, "peak-rss-MB")
		b.ReportMetric(before/1024, "rss-before-MB")
	}
}
