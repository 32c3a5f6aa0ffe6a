package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// tiedText is the text of entries whose postings all tie on their bound
// (one text, one kind, no votes), as an import of alike captures gives.
const tiedText = "restart the worker after the deploy fails"

// TestTopListTiedPostings: an import of alike captures gives a common stem
// postings that all tie on their bound. Its top list still holds at most
// 1/topShare of them (those above the cut; the tied ones at the cut stay
// out), searches still equal the exhaustive ranking, and the list is not
// rebuilt by the next merge rounds, Optimize or open, as it was when the
// rebuild compared the stem's df with the list's.
func TestTopListTiedPostings(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "tied.db")
	var logs bytes.Buffer // written under the handler's lock; read after Close
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const at, share = 64, 16
	open := func() *Store {
		s, err := Open(ctx, file, log, withTopLists(at, share))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	ch := repertoire.Channel{Platform: "p", Space: "s", ID: "c1", Name: "ops"}
	save := func(i int, text string) {
		t.Helper()
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Answer: text, Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"},
			At: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	// 300 alike entries, and 12 where worker and restart weigh more.
	for i := range 300 {
		save(i, tiedText)
	}
	for i := range 12 {
		save(300+i, "worker worker worker restart")
	}
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s) // each list: exactly the postings above its cut
	type top struct {
		cut           float64
		df, stemDF    int
		builtDF, rows int
	}
	tops := func() map[string]top {
		t.Helper()
		rows, err := s.r.QueryContext(ctx, `SELECT t.term, t.cut, t.df, s.df, t.built_df,
			(SELECT count(*) FROM search_top_postings p WHERE p.term = t.term) FROM search_top t JOIN search_terms s USING (term)`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]top{}
		for rows.Next() {
			var term string
			var x top
			if err := rows.Scan(&term, &x.cut, &x.df, &x.stemDF, &x.builtDF, &x.rows); err != nil {
				t.Fatal(err)
			}
			m[term] = x
		}
		return m
	}
	first := tops()
	for _, w := range strings.Fields(tiedText) {
		if _, ok := first[repertoire.Stem(w)]; !ok {
			t.Errorf("%s (in %d entries) has no top list: %v", w, 300, first)
		}
	}
	for term, x := range first {
		if x.df > x.stemDF/share {
			t.Errorf("top list of %s holds %d of its %d postings, more than 1/%d", term, x.df, x.stemDF, share)
		}
		if x.builtDF != x.stemDF {
			t.Errorf("top list of %s cut for df %d, the stem's is %d", term, x.builtDF, x.stemDF)
		}
	}
	if x := first[repertoire.Stem("worker")]; x.df != 12 {
		t.Errorf("top list of worker: %d postings, want the 12 above the tied ones", x.df)
	}
	search := func() {
		t.Helper()
		for _, q := range []string{"worker", "restart worker", "deploy fails", "worker deploy", "the worker"} {
			for _, limit := range []int{1, 10, 40} {
				checkExhaustive(t, s, repertoire.SearchParams{Text: q, From: ch, Limit: limit}, fmt.Sprintf("%q limit %d", q, limit))
			}
		}
	}
	search()
	// More merge rounds, Optimize, a close and an open, alike entries
	// added (the stems grow by less than twice): no list is rebuilt.
	if err := s.buildTops(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		save(400+i, tiedText)
		if i%5 == 0 {
			if err := s.mergePending(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	builds := strings.Count(logs.String(), "top list built")
	if builds != len(first) {
		t.Errorf("%d top lists built, %d stems have one (before the reopen)", builds, len(first))
	}
	s = open()
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s)
	search()
	again := tops()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "top list built"); n != builds {
		t.Errorf("%d top lists rebuilt by merges, Optimize and an open, want none", n-builds)
	}
	for term, x := range first {
		if y := again[term]; y.cut != x.cut || y.builtDF != x.builtDF || y.df != x.df {
			t.Errorf("top list of %s: %+v, then %+v", term, x, y)
		}
	}
}

// tiedStore builds a store of n entries of one text, merged and with the
// top lists Optimize builds.
func tiedStore(b *testing.B, n int) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "tied.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, created_at, updated_at) VALUES ('bench', 's', 'c1', 0, ?, 'tip', '', ?, 'U1', '', ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			if _, err := stmt.ExecContext(ctx, fmt.Sprint("m", i), tiedText, i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	return s
}

// peakHeap samples the heap's live objects while fn runs and returns the
// highest figure above what was live before, in bytes.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	peak = max(peak, read())
	if peak < base {
		return 0
	}
	return peak - base
}

// BenchmarkTopTied100k measures the top lists of a 100k-entry store whose
// common stems' postings all tie: "build" rebuilds one stem's list (time,
// bytes allocated, the heap's peak above its start); "due" is the pass the
// merge loop makes after each merge and at each open, on lists already
// built. Run: go test ./repertoire/sqlite -run X -bench TopTied100k
func BenchmarkTopTied100k(b *testing.B) {
	s := tiedStore(b, 100_000)
	ctx := context.Background()
	stem := repertoire.Stem("worker")
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			var err error
			peak = max(peak, peakHeap(func() {
				err = s.tx(ctx, "", func(tx *sql.Tx) error { return buildTop(ctx, tx, stem, s.chunk, s.topShare) })
			}))
			if err != nil {
				b.Fatal(err)
			}
		}
		var listDF, stemDF int
		if err := s.r.QueryRowContext(ctx, `SELECT t.df, s.df FROM search_top t JOIN search_terms s USING (term) WHERE term = ?`, stem).Scan(&listDF, &stemDF); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(listDF), "list-postings")
		b.ReportMetric(float64(stemDF), "stem-postings")
	})
	b.Run("due", func(b *testing.B) {
		for b.Loop() {
			if err := s.buildTops(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
