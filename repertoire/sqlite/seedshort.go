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
	missing := make([]float64, len(sr.terms))
	for _, tc := range picked {
		missing[tc.index] = tc.full
	}
	best := bestOf[int64]{keep: 2*top.k + 8}
	err := sr.seedMerge(ctx, walks, owner, missing, func(id int64, score, _, _ float64, _ []termHits, _ []bool, _ [3]int, _ repertoire.PriorInputs) {
		best.add(score, id)
	})
	if err != nil || len(best.items) == 0 {
		return err
	}
	ids := make([]int64, len(best.items))
	for i, it := range best.items {
		ids[i] = it.v
	}
	return sr.load(ctx, ids, top, seen)
}

func containsCursor(tcs []*termCursor, tc *termCursor) bool {
	for _, x := range tcs {
		if x == tc {
			return true
		}
	}
	return false
}
