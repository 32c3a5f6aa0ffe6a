package sqlite

import (
	"context"

	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// A query of many words (a member's question) is not seeded from top
// lists (seedTerms), so its walk starts with no k-th score: every list is
// walked, the longest ones too, until k entries are scored, and the
// threshold rises slowly from there. Its rarest words, though, have short
// lists, and the entries that rank first hold them. seedShort reads those
// lists whole, ranks the entries they hold by what those words give them,
// and scores the best few exactly from their text (a row each, one
// statement for all, instead of a probe per other word), so that the walk
// that follows starts from a threshold close to its final value.

const (
	// shortSeedDF: a word with more postings is not read whole by the seed
	// (a stem from defaultTopAt postings on has a top list instead).
	shortSeedDF = defaultTopAt
	// shortSeedTerms bounds the words read whole.
	shortSeedTerms = 3
	// missingShare is the share of a seeded word's bound a candidate
	// lacking it is ranked with: an entry outside a list may still hold
	// the word, and the seed cannot tell without a probe.
	missingShare = 0.7
)

// seedShort seeds top (and seen) for a query of more than seedTerms words
// from the lists of its rarest words; it does nothing when the heaviest
// word's list is not short.
func (sr *searcher) seedShort(ctx context.Context, longs []*termCursor, top *topK, seen map[int64]bool) error {
	var heaviest *termCursor
	for _, tc := range longs {
		if heaviest == nil || tc.full > heaviest.full {
			heaviest = tc
		}
	}
	short := func(tc *termCursor) bool {
		return len(tc.t.Stems) == 1 && !tc.t.Prefix && tc.t.DocFreq <= shortSeedDF
	}
	if heaviest == nil || !short(heaviest) {
		return nil
	}
	var picked []*termCursor
	for _, tc := range longs {
		if short(tc) {
			picked = append(picked, tc)
		}
	}
	sort.SliceStable(picked, func(i, j int) bool { return picked[i].t.DocFreq < picked[j].t.DocFreq })
	picked = picked[:min(len(picked), shortSeedTerms)]
	if !containsCursor(picked, heaviest) {
		picked = append(picked[:len(picked)-1], heaviest)
	}
	// Fresh cursors over each picked word's postings (chunks and pending),
	// merged by ID; the walk reads the lists again with its own.
	var walks []*stemCursor
	var owner []*termCursor
	for _, tc := range picked {
		cs, err := sr.cursors(ctx, tc.t.Stems[0])
		if err != nil {
			return err
		}
		for _, c := range cs {
			walks = append(walks, c)
			owner = append(owner, tc)
		}
	}
	type cand struct {
		id    int64
		score float64
	}
	want := 2*top.k + 8
	var best []cand // ascending by score, at most want
	m := make([]termHits, len(sr.terms))
	found := make([]bool, len(sr.terms))
	for {
		d := int64(-1)
		for _, c := range walks {
			x, err := c.doc(ctx)
			if err != nil {
				return err
			}
			if x >= 0 && (d < 0 || x < d) {
				d = x
			}
		}
		if d < 0 {
			break
		}
		var bm float64
		var pr repertoire.PriorInputs
		in := 0
		clear(found)
		for i := range m {
			m[i] = termHits{}
		}
		for i, c := range walks {
			if x, err := c.doc(ctx); err != nil {
				return err
			} else if x != d {
				continue
			}
			p, err := c.posting(ctx)
			if err != nil {
				return err
			}
			ti := owner[i].index
			bm += repertoire.TermScore(owner[i].t.IDF, p.TF, p.Lens, sr.avg)
			m[ti], found[ti], pr = p.Pos, true, p.Prior
			in++
		}
		if in > 1 {
			bm += sr.proximity(m)
		}
		score := bm * repertoire.PriorOf(pr, sr.q.HowTo)
		for _, tc := range picked {
			if !found[tc.index] {
				score += missingShare * tc.full
			}
		}
		if len(best) < want || score > best[0].score {
			i := sort.Search(len(best), func(i int) bool { return best[i].score > score })
			best = append(best, cand{})
			copy(best[i+1:], best[i:])
			best[i] = cand{d, score}
			if len(best) > want {
				best = best[1:]
			}
		}
		for _, c := range walks {
			if x, err := c.doc(ctx); err != nil {
				return err
			} else if x == d {
				if err := c.advanceTo(ctx, d+1); err != nil {
					return err
				}
			}
		}
	}
	if len(best) == 0 {
		return nil
	}
	ids := make([]int64, len(best))
	for i := range best {
		ids[i] = best[i].id
	}
	return sr.loadSeen(ctx, ids, top, seen)
}

func containsCursor(tcs []*termCursor, tc *termCursor) bool {
	for _, x := range tcs {
		if x == tc {
			return true
		}
	}
	return false
}

// loadSeen scores entries by ID from their text, as load does, and marks
// those the asking channel may see and the filters keep as seen: scored
// exactly, so the walk passes over them.
func (sr *searcher) loadSeen(ctx context.Context, ids []int64, top *topK, seen map[int64]bool) error {
	st, err := sr.prepared(ctx, `SELECT `+entryColumns+`
		FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, append([]any{jsonList(ids)}, sr.filterArgs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h repertoire.Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return err
		}
		seen[h.ID] = true
		if sr.scoreHit(&h) {
			top.add(h)
		}
	}
	return rows.Err()
}
