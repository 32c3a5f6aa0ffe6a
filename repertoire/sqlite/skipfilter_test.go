package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestSkipFilterOnSparseWords: queries of a few words of middling document
// frequency, and members' questions of five to eight words, the walks in
// which the skip filter (skipfilter.go) passes over most entries, return
// the exhaustive ranking's top k. The lists have many chunks with skip
// lists, top lists, short lists read whole and pending postings (saves
// after the fold), and some query words are prefixes of several stems.
func TestSkipFilterOnSparseWords(t *testing.T) {
	ctx := context.Background()
	n := 3000
	if testing.Short() || raceOn {
		n = 1200
	}
	s, err := Open(ctx, t.TempDir()+"/skipfilter.db", nil, withTopLists(n/20, 16))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.chunk = 16
	r := rand.New(rand.NewPCG(15, 11))
	z := rand.NewZipf(r, 1.1, 1, 1999)
	// Words in groups of five that share their first four letters, so
	// that those four letters are a prefix of five stems.
	vocab := make([]string, 2000)
	for i := range vocab {
		g := i / 5
		vocab[i] = fmt.Sprintf("x%c%cq%c", 'a'+g/26, 'a'+g%26, "bdfgk"[i%5])
	}
	text := func(lo, hi int) string {
		w := make([]string, lo+r.IntN(hi-lo+1))
		for i := range w {
			w[i] = vocab[z.Uint64()]
		}
		return strings.Join(w, " ")
	}
	var questions []string
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, votes, created_at, updated_at) VALUES ('p', 's', ?, ?, ?, 'tip', ?, ?, 'U1', '', ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			ch, private := "c1", 0
			if i%7 == 0 {
				ch, private = "c3", 1 // seen from c3 only
			}
			q := text(6, 14)
			questions = append(questions, q)
			if _, err := stmt.ExecContext(ctx, ch, private, fmt.Sprint("m", i), q, text(10, 40), r.IntN(4), i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	// Saves after the fold: their postings wait in search_pending.
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n / 20 {
		q := text(6, 14)
		questions = append(questions, q)
		_, _, err := s.Save(ctx, repertoire.SaveParams{Channel: repertoire.Channel{Platform: "p", Space: "s", ID: "c1"},
			SourceID: fmt.Sprint("late", i), Kind: repertoire.Tip, Question: q, Answer: text(10, 40),
			Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "S"}, At: at.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	var pending int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending == 0 {
		t.Fatalf("%d pending postings (%v): the test needs some", pending, err)
	}
	askers := []repertoire.Channel{
		{Platform: "p", Space: "s", ID: "c3", Private: true}, // sees every entry
		{Platform: "p", Space: "s", ID: "c1"},                // not the private ones
	}
	for i := range 240 {
		var words []string
		switch i % 3 {
		case 0:
			// A few words of middling frequency.
			for range 2 + r.IntN(2) {
				words = append(words, vocab[5+r.IntN(200)])
			}
		case 1:
			// Common words with top lists, read from two lists each.
			for range 2 + r.IntN(3) {
				words = append(words, vocab[r.IntN(30)])
			}
		default:
			// Five to eight words of one entry's question, in order.
			seen := map[string]bool{}
			for _, w := range strings.Fields(questions[r.IntN(len(questions))]) {
				if !seen[w] && len(words) < 5+r.IntN(4) {
					seen[w] = true
					words = append(words, w)
				}
			}
		}
		if i%5 == 1 {
			j := r.IntN(len(words))
			words[j] = words[j][:4] // a prefix of five stems
		}
		p := repertoire.SearchParams{Text: strings.Join(words, " "), From: askers[i%4/2], Limit: 1 + r.IntN(10)}
		checkExhaustive(t, s, p, fmt.Sprintf("%+v", p))
	}
}

// TestSeedOverlaps: a query's words are seeded from their top lists only
// when those lists likely hold k entries holding every word.
func TestSeedOverlaps(t *testing.T) {
	words := func(dfs ...float64) []*termCursor {
		var tcs []*termCursor
		for _, df := range dfs {
			tcs = append(tcs, &termCursor{t: &repertoire.QueryTerm{DocFreq: df}})
		}
		return tcs
	}
	for _, c := range []struct {
		dfs  []float64
		n    float64
		k    int
		want bool
	}{
		{[]float64{14152, 6774}, 1e6, 10, false},            // two middling words
		{[]float64{50000, 50000}, 1e6, 10, false},           // 1e6·(0.05/16)² ≈ 9.8
		{[]float64{60000, 60000}, 1e6, 10, true},            // ≈ 14
		{[]float64{400000, 450000}, 1e6, 10, true},          // two common words
		{[]float64{400000, 450000}, 1e6, 1000, false},       // not for a thousand
		{[]float64{300000, 300000, 300000}, 1e6, 10, false}, // ≈ 6.6
		{[]float64{900000, 800000, 700000}, 1e6, 10, true},
		{[]float64{3000}, 1e5, 10, true}, // one word: its top list holds its best
	} {
		if got := seedOverlaps(words(c.dfs...), c.n, c.k); got != c.want {
			t.Errorf("dfs %v of %v, k %d: %v, want %v", c.dfs, c.n, c.k, got, c.want)
		}
	}
}
