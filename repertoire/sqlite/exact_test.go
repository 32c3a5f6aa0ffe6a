package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// exactWords is a small vocabulary, so that entries share words, scores tie
// and prefixes ("deplo") expand to several stems.
// exactKinds are the kinds the random repertoires use.
var exactKinds = []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}

var exactWords = strings.Fields(`deploy deploys deployed deploying build builds cache caching cached
	restart worker node nodes certificate certbot renew nginx proxy timeout retry queue token vault
	rotate rotation kube kubernetes kubectl helm chart the a to is how fix error fails`)

func randomText(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		// Skewed: the first words are much more frequent.
		w[i] = exactWords[min(int(r.ExpFloat64()*8), len(exactWords)-1)]
		if r.IntN(12) == 0 {
			w[i] = strings.ToUpper(w[i][:1]) + w[i][1:] + "."
		}
	}
	return strings.Join(w, " ")
}

var exactChannels = []repertoire.Channel{
	{Platform: "p", Space: "s", ID: "c1", Name: "ops"},
	{Platform: "p", Space: "s", ID: "c2", Name: "dev"},
	{Platform: "p", Space: "s", ID: "c3", Name: "secret", Private: true},
	{Platform: "p", Space: "t", ID: "c4", Name: "other"},
	{Platform: "q", Space: "s", ID: "c5", Name: "elsewhere"},
}

func randomQuery(r *rand.Rand) string {
	var parts []string
	words := 1 + r.IntN(5)
	if r.IntN(4) == 0 {
		words = 5 + r.IntN(4) // a member's question, seeded from its rarest words (seedShort)
	}
	for range words {
		w := exactWords[r.IntN(len(exactWords))]
		switch r.IntN(14) {
		case 0:
			w = w[:min(len(w), 4+r.IntN(2))] // a prefix
		case 1:
			w = "-" + w
		case 2:
			w = `"` + w + " " + exactWords[r.IntN(len(exactWords))] + `"`
		case 3:
			w = "tag:" + exactWords[r.IntN(8)]
		case 4:
			w = "kind:" + string(exactKinds[r.IntN(len(exactKinds))])
		case 5:
			w = "from:@U" + fmt.Sprint(r.IntN(3))
		case 6:
			w = "in:#" + exactChannels[r.IntN(len(exactChannels))].Name
		}
		parts = append(parts, w)
	}
	if r.IntN(4) == 0 {
		parts = append([]string{"how do I"}, parts...)
	}
	return strings.Join(parts, " ")
}

// TestSearchEqualsExhaustive is the property the pruned search rests on:
// over random repertoires (edited, voted on, forgotten in part) and random
// queries with the query syntax, from channels that see different entries,
// Search returns exactly the exhaustive ranking's top k, in the same order
// with the same scores.
func TestSearchEqualsExhaustive(t *testing.T) {
	ctx := context.Background()
	repertoires, queries := 3, 120
	if testing.Short() || raceOn {
		repertoires, queries = 1, 60
	}
	for seed := range uint64(repertoires) {
		r := rand.New(rand.NewPCG(seed, 99))
		// Top lists for stems of a few postings, holding from all of
		// them to a few; built at random points below, so that searches
		// read stems with a list and without, and saves, edits, votes
		// and merges change stems that have one.
		s, err := Open(ctx, filepath.Join(t.TempDir(), fmt.Sprint(seed, ".db")), nil, withTopLists(2+r.IntN(12), 1+r.IntN(8)))
		if err != nil {
			t.Fatal(err)
		}
		// Merges are run here, at random points and a few stems at a
		// time, so searches read stems merged, pending and both.
		s.mergeAt = 0
		// Small chunks, so that stems have many and searches pass over
		// some by their bounds.
		s.chunk = 2 + r.IntN(6)
		n := 50 + r.IntN(350)
		// Chunks without skip lists (as a store from before migration
		// 0030 has), and the fill that writes them, at random points.
		sk := rand.New(rand.NewPCG(seed, 13))
		var ids []int64
		var texts []string // what was saved, for questions that quote it
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		// One repertoire in one space, so that some askers see every
		// entry and the search admits what it scores unchecked
		// (searchvis.go), others not.
		chans := exactChannels
		if seed == 1 {
			chans = exactChannels[:3]
		}
		for i := range n {
			ch := chans[r.IntN(len(chans))]
			var tags []string
			if r.IntN(3) == 0 {
				tags = []string{exactWords[r.IntN(8)]}
			}
			question, answer := randomText(r, r.IntN(8)), randomText(r, 1+r.IntN(30))
			texts = append(texts, question, answer)
			e, _, err := s.Save(ctx, repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i),
				Kind: exactKinds[r.IntN(len(exactKinds))], Question: question,
				Answer: answer, Author: repertoire.Person{ID: fmt.Sprint("U", r.IntN(3))},
				Saver: repertoire.Person{ID: "S"}, Tags: tags, At: at.Add(time.Duration(r.IntN(1000)) * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
			if r.IntN(12) == 0 {
				if _, err := s.mergeStep(ctx, 1+r.IntN(40)); err != nil {
					t.Fatal(err)
				}
			}
			if r.IntN(40) == 0 {
				if err := s.buildTops(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if r.IntN(60) == 0 {
				// Stems' chunks moved onto consecutive rowids (Optimize):
				// later folds and merges go on from there.
				if _, err := s.layChunks(ctx); err != nil {
					t.Fatal(err)
				}
			}
			switch sk.IntN(40) {
			case 0:
				if _, err := s.w.ExecContext(ctx, `UPDATE search_postings SET skip = NULL WHERE id % 3 = ?`, sk.IntN(3)); err != nil {
					t.Fatal(err)
				}
				if _, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO search_skip_fill (id, after) VALUES (1, ?)`, math.MinInt64); err != nil {
					t.Fatal(err)
				}
			case 1:
				if _, err := s.fillSkips(ctx); err != nil {
					t.Fatal(err)
				}
			}
			switch r.IntN(10) {
			case 0:
				if _, err := s.Vote(ctx, "", ids[r.IntN(len(ids))], fmt.Sprint("V", i)); err != nil && !errors.Is(err, repertoire.ErrNotFound) {
					t.Fatal(err)
				}
			case 1:
				j := r.IntN(i + 1)
				src := repertoire.Source{Platform: e.Channel.Platform, Space: e.Channel.Space, Channel: e.Channel.ID, Message: e.SourceID}
				if j < i {
					old, err := s.Entry(ctx, ids[j])
					if err != nil {
						continue // forgotten
					}
					src = repertoire.Source{Platform: old.Channel.Platform, Space: old.Channel.Space, Channel: old.Channel.ID, Message: old.SourceID}
				}
				if r.IntN(2) == 0 {
					_, err = s.EditSource(ctx, "", src, randomText(r, 1+r.IntN(20)), at)
				} else {
					_, err = s.DeleteSource(ctx, "", src)
				}
				if err != nil {
					t.Fatal(err)
				}
			case 2:
				msg := repertoire.Source{Platform: "p", Space: "s", Channel: "c1", Message: fmt.Sprint("bot", i)}
				if err := s.RecordRecall(ctx, msg, []int64{ids[r.IntN(len(ids))]}); err != nil {
					continue // the entry was forgotten
				}
				if _, err := s.Feedback(ctx, "", msg, "F", r.IntN(2) == 0, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if seed%2 == 0 {
			if err := s.mergePending(ctx); err != nil {
				t.Fatal(err)
			}
		}
		checkIndex(t, s)
		var params []repertoire.SearchParams
		var wants [][]repertoire.Hit
		short := rand.New(rand.NewPCG(seed, 7)) // its own, so r draws what it did before
		for range queries {
			// Stems read whole with their figures: none, the rarest,
			// most, every one (searchlookup.go).
			s.shortList = []int64{-1, 0, 3, 12, 40, 1 << 20}[short.IntN(6)]
			p := repertoire.SearchParams{Text: randomQuery(r), From: chans[r.IntN(len(chans))], Limit: 1 + r.IntN(10)}
			if r.IntN(4) == 0 {
				// Words in a row from a saved text: entries hold the
				// query's pairs close together, and proximity weighs.
				p.Text = quoteSome(r, texts[r.IntN(len(texts))])
			}
			if r.IntN(5) == 0 {
				p.From = repertoire.Channel{}
			}
			if r.IntN(5) == 0 {
				p.Spaces = []string{"t"}
			}
			got, err := s.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.SearchExhaustive(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitKeys(got), hitKeys(want); !reflect.DeepEqual(g, w) {
				t.Errorf("seed %d, %d entries, %+v:\n got %v\nwant %v", seed, n, p, g, w)
			} else if !reflect.DeepEqual(got, want) {
				// Every field a member sees: the entry, its savers, the
				// snippet and its highlights, the score to the last bit,
				// the coverage.
				t.Errorf("seed %d, %+v: hits differ in their fields:\n got %+v\nwant %+v", seed, p, got, want)
			}
			params, wants = append(params, p), append(wants, want)
			for _, h := range got {
				if h.Channel.Private && (h.Channel.ID != p.From.ID || h.Channel.Platform != p.From.Platform) {
					t.Errorf("%+v: private entry %d of %s shown", p, h.ID, h.Channel.ID)
				}
			}
		}
		// The one-pass reference the benchmark uses agrees too.
		many, err := s.SearchExhaustiveMany(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for i := range params {
			if g, w := hitKeys(many[i]), hitKeys(wants[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("seed %d, many %+v:\n got %v\nwant %v", seed, params[i], g, w)
			}
		}
		s.Close()
	}
}

// quoteSome is 2–8 words in a row from text, or all when it has fewer.
func quoteSome(r *rand.Rand, text string) string {
	w := strings.Fields(text)
	n := min(len(w), 2+r.IntN(7))
	at := r.IntN(len(w) - n + 1)
	return strings.Join(w[at:at+n], " ")
}

func hitKeys(hits []repertoire.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%d:%.12g", h.ID, h.Score))
	}
	return out
}

// checkExhaustive checks that Search finds what SearchExhaustive ranks
// for p: the same entries, in the same order, with the same scores; what
// is reported is labelled.
func checkExhaustive(t *testing.T, s *Store, p repertoire.SearchParams, label string) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Search(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.SearchExhaustive(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := hitKeys(got), hitKeys(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %v\nwant %v", label, g, w)
	}
}

// checkIndex compares the stored postings, frequencies and totals with
// the ones built afresh from the entries.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	want := map[string]map[int64]posting{}
	var st indexStats
	rows, err := s.r.QueryContext(ctx, `SELECT id, question, answer, tags, votes, helpful, unhelpful, kind FROM entries`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p posting
		var q, a, tags, kind string
		if err := rows.Scan(&p.ID, &q, &a, &tags, &p.Prior.Votes, &p.Prior.Helpful, &p.Prior.Unhelpful, &kind); err != nil {
			t.Fatal(err)
		}
		p.Prior.Kind = repertoire.Kind(kind)
		terms, lens := docTerms(q, a, tags)
		p.Lens = lens
		st.n++
		for f := range 3 {
			st.sum[f] += int64(lens[f])
		}
		for term, pos := range terms {
			p.Pos = *pos
			for f := range 3 {
				p.TF[f] = len(pos[f])
				if len(pos[f]) == 0 {
					p.Pos[f] = nil
				}
			}
			if want[term] == nil {
				want[term] = map[int64]posting{}
			}
			want[term][p.ID] = p
		}
	}
	rows.Close()
	got := map[string]map[int64]posting{}
	gst, err := loadIndexStats(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	fw := &foldWriter{bound: gst.bound}
	rows, err = s.r.QueryContext(ctx, `SELECT term, first, last, bound, data, skip FROM search_postings ORDER BY term, first`)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int64{}
	for rows.Next() {
		var term string
		var first, lastID int64
		var bound float64
		var data, skip []byte
		if err := rows.Scan(&term, &first, &lastID, &bound, &data, &skip); err != nil {
			t.Fatal(err)
		}
		ps, err := decodeChunk(first, data, nil)
		if err != nil || len(ps) == 0 || ps[0].ID != first || ps[len(ps)-1].ID != lastID {
			t.Fatalf("chunk %s/%d-%d: %v %d postings", term, first, lastID, err, len(ps))
		}
		// Its skip list, when it has one, is its postings' (skip.go).
		if want := fw.chunkSkip(ps); skip != nil && !bytes.Equal(skip, want) {
			t.Fatalf("chunk %s/%d: skip list %x, its postings' %x", term, first, skip, want)
		}
		if b := fw.chunkBound(ps); b != bound {
			t.Fatalf("chunk %s/%d: bound %g, its postings' %g", term, first, bound, b)
		}
		if got[term] == nil {
			got[term] = map[int64]posting{}
		}
		for _, p := range ps {
			for f := range 3 {
				if len(p.Pos[f]) == 0 {
					p.Pos[f] = nil
				}
			}
			if p.ID <= last[term] {
				t.Fatalf("chunk %s/%d: IDs out of order", term, first)
			}
			last[term] = p.ID
			got[term][p.ID] = p
		}
	}
	rows.Close()
	// Pending postings: each entry's posting of a stem is in the chunks
	// or here, never both.
	pendingDF := map[string]int{}
	rows, err = s.r.QueryContext(ctx, `SELECT term, id, data FROM search_pending`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var term string
		var id int64
		var data []byte
		if err := rows.Scan(&term, &id, &data); err != nil {
			t.Fatal(err)
		}
		ps, err := decodeChunk(id, data, nil)
		if err != nil || len(ps) != 1 || ps[0].ID != id {
			t.Fatalf("pending %s/%d: %v %d postings", term, id, err, len(ps))
		}
		p := ps[0]
		for f := range 3 {
			if len(p.Pos[f]) == 0 {
				p.Pos[f] = nil
			}
		}
		if got[term] == nil {
			got[term] = map[int64]posting{}
		}
		if _, ok := got[term][id]; ok {
			t.Fatalf("%s/%d both merged and pending", term, id)
		}
		got[term][id] = p
		pendingDF[term]++
	}
	rows.Close()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("postings differ from the entries")
	}
	if gst.n != st.n || gst.sum != st.sum {
		t.Fatalf("totals %+v, want %+v", gst, st)
	}
	pendingRows := 0
	for _, n := range pendingDF {
		pendingRows += n
	}
	if gst.pending != int64(pendingRows) {
		t.Fatalf("search_stats.pending = %d, %d rows pending", gst.pending, pendingRows)
	}
	rows, err = s.r.QueryContext(ctx, `SELECT term, df FROM search_terms`)
	if err != nil {
		t.Fatal(err)
	}
	dfs := 0
	for rows.Next() {
		var term string
		var df int
		if err := rows.Scan(&term, &df); err != nil {
			t.Fatal(err)
		}
		if df+pendingDF[term] != len(want[term]) {
			t.Errorf("df(%s) = %d merged + %d pending, want %d", term, df, pendingDF[term], len(want[term]))
		}
		dfs++
		delete(pendingDF, term)
	}
	rows.Close()
	dfs += len(pendingDF) // stems only pending so far
	if dfs != len(want) {
		t.Errorf("%d stems indexed, want %d", dfs, len(want))
	}
	checkTopLists(t, s, fw, want)
}

// checkTopLists checks that each top list holds exactly the postings of
// its stem whose bound is above its cut, as the entries give them, in ID
// order, each chunk's bound that of its postings.
func checkTopLists(t *testing.T, s *Store, fw *foldWriter, want map[string]map[int64]posting) {
	t.Helper()
	ctx := context.Background()
	cuts := map[string]float64{}
	rows, err := s.r.QueryContext(ctx, `SELECT term, cut FROM search_top`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var term string
		var cut float64
		if err := rows.Scan(&term, &cut); err != nil {
			t.Fatal(err)
		}
		cuts[term] = cut
	}
	rows.Close()
	got := map[string]map[int64]posting{}
	rows, err = s.r.QueryContext(ctx, `SELECT term, first, last, bound, data FROM search_top_postings ORDER BY term, first`)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int64{}
	for rows.Next() {
		var term string
		var first, lastID int64
		var bound float64
		var data []byte
		if err := rows.Scan(&term, &first, &lastID, &bound, &data); err != nil {
			t.Fatal(err)
		}
		if _, ok := cuts[term]; !ok {
			t.Fatalf("top chunk of %s, a stem without a cut", term)
		}
		ps, err := decodeChunk(first, data, nil)
		if err != nil || len(ps) == 0 || ps[0].ID != first || ps[len(ps)-1].ID != lastID {
			t.Fatalf("top chunk %s/%d-%d: %v %d postings", term, first, lastID, err, len(ps))
		}
		if b := fw.chunkBound(ps); b != bound {
			t.Fatalf("top chunk %s/%d: bound %g, its postings' %g", term, first, bound, b)
		}
		if got[term] == nil {
			got[term] = map[int64]posting{}
		}
		for _, p := range ps {
			for f := range 3 {
				if len(p.Pos[f]) == 0 {
					p.Pos[f] = nil
				}
			}
			if p.ID <= last[term] {
				t.Fatalf("top chunk %s/%d: IDs out of order", term, first)
			}
			last[term] = p.ID
			got[term][p.ID] = p
		}
	}
	rows.Close()
	for term, cut := range cuts {
		wantTop := map[int64]posting{}
		for id, p := range want[term] {
			if fw.postingBound(p) > cut {
				wantTop[id] = p
			}
		}
		if len(wantTop) == 0 && len(got[term]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got[term], wantTop) {
			t.Fatalf("top list of %s (cut %g): %d postings, want %d", term, cut, len(got[term]), len(wantTop))
		}
	}
}
