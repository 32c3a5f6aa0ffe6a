package sqlite

import (
	"context"

	"github.com/repertoire/repertoire/repertoire"
)

// seedMerge merges the seed's lists by entry ID: walks[i] holds the
// postings of the query word words[i]. Each entry some list holds is
// offered to keep with its partial score: the BM25 terms of the words the
// lists gave it, their proximity, times its prior, plus missingShare of
// missing[ti] for each query word ti they did not give it (an entry outside
// a list may still hold the word, and a seed cannot tell without a probe).
// m, found, lens and pr are what the lists gave the entry, bm the BM25
// terms and proximity of the words found and prior its prior (the part of
// its score the lists tell exactly: bm times prior); keep must copy what it
// keeps, as they are reused for the next entry.
func (sr *searcher) seedMerge(ctx context.Context, walks []*stemCursor, words []*termCursor, missing []float64,
	keep func(id int64, score, bm, prior float64, m []termHits, found []bool, lens [3]int, pr repertoire.PriorInputs)) error {
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
			return nil
		}
		var bm float64
		var lens [3]int
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
			ti := words[i].index
			bm += repertoire.TermScore(words[i].t.IDF, p.TF, p.Lens, sr.avg)
			m[ti], found[ti], lens, pr = p.Pos, true, p.Lens, p.Prior
			in++
		}
		if in > 1 {
			bm += sr.proximity(m) // of the words found together
		}
		prior := repertoire.PriorOf(pr, sr.q.HowTo)
		score := bm * prior
		for ti, f := range found {
			if !f {
				score += missingShare * missing[ti]
			}
		}
		keep(d, score, bm, prior, m, found, lens, pr)
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
}
