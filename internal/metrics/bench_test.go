package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// BenchmarkScrape times a full /metrics scrape (Go and process collectors
// included) with 100,000 entries in the store, beside the obvious way it
// replaces: counting the entries table on every scrape (what /metrics did
// before, through Store.Stats).
//
//	go test ./internal/metrics -run '^$' -bench Scrape -benchtime 200x
func BenchmarkScrape(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	const n, batch = 100_000, 5_000
	kinds := []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += batch {
		bt := repertoire.Batch{Import: "bench", Unit: fmt.Sprint(i)}
		for j := i; j < i+batch; j++ {
			bt.Records = append(bt.Records, repertoire.Record{
				Channel:  repertoire.Channel{Platform: "slack", Space: "T1", ID: fmt.Sprint("C", j%50), Private: j%10 == 0},
				SourceID: fmt.Sprint(j), Kind: kinds[j%4], Answer: fmt.Sprintf("entry %d about deploys and certificates", j),
				Author: repertoire.Person{ID: fmt.Sprint("U", j%300)}, CreatedAt: t0.Add(time.Duration(j) * time.Minute),
			})
		}
		if _, err := store.ImportBatch(ctx, bt); err != nil {
			b.Fatal(err)
		}
	}
	m := New(store, nil)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	b.Run("incremental", func(b *testing.B) {
		for b.Loop() {
			resp, err := http.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.Run("count-table", func(b *testing.B) {
		for b.Loop() {
			if _, err := store.Stats(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	counts, _ := store.EntryCounts(ctx)
	var total int64
	for _, c := range counts {
		total += c.N
	}
	if total != n {
		b.Fatalf("entry counts say %d entries, want %d", total, n)
	}
}
