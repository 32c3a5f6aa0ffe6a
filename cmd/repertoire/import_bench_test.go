package main

import (
	"archive/zip"
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slackexport/slackexporttest"
)

var (
	benchMessages = flag.Int("import-messages", 1_000_000, "messages in the generated Slack export of BenchmarkImportSlack")
	benchDetect   = flag.Bool("import-detect", false, "BenchmarkImportSlack imports with -detect")
)

// BenchmarkImportSlack generates a Slack export (1M messages by default, 30%
// thread replies, 2% reacted 💡) and imports it into a new database per
// iteration through the real command. It reports messages imported per
// second and peak memory: the Go heap sampled during the import and the
// process's peak resident set (VmHWM, Linux).
//
//	go test ./cmd/repertoire -run '^$' -bench ImportSlack -benchtime 1x [-args -import-detect]
func BenchmarkImportSlack(b *testing.B) {
	dir := b.TempDir()
	zipPath := filepath.Join(dir, "bench.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := slackexporttest.Generate(w, slackexporttest.GenerateOptions{Messages: *benchMessages, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(zipPath)
	var raw uint64
	if zr, err := zip.OpenReader(zipPath); err == nil {
		for _, f := range zr.File {
			raw += f.UncompressedSize64
		}
		zr.Close()
	}
	b.Logf("generated %d messages: ZIP of %.1f MB, %.1f MB of JSON", *benchMessages, float64(st.Size())/(1<<20), float64(raw)/(1<<20))

	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	var elapsed time.Duration
	i := 0
	for b.Loop() {
		db := filepath.Join(dir, "bench"+strconv.Itoa(i)+".db")
		i++
		env := map[string]string{"REPERTOIRE_DB": db, "REPERTOIRE_LOG_LEVEL": "warn"}
		start := time.Now()
		var out strings.Builder
		args := []string{"import", "slack", "-progress", "none", zipPath}
		if *benchDetect {
			args = append(args, "-detect")
		}
		if err := run(context.Background(), args,
			func(k string) string { return env[k] }, strings.NewReader(""), &out, &strings.Builder{}); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if i == 1 {
			b.Log(out.String())
		}
	}
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(*benchMessages)*float64(i)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	if rss := vmHWM(); rss > 0 {
		b.ReportMetric(rss/1024, "peak-rss-MB")
	}
}

// vmHWM is the process's peak resident set in KiB, or 0 where /proc is absent.
func vmHWM() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	return 0
}
