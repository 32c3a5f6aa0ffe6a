package bot

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/repertoire/repertoire/repertoire"
)

// Query expansion by pseudo-relevance feedback, as a second retrieval pass.
// Search only finds entries that hold some of the question's words; an
// entry that answers in other words ("pods restarting" for "crashloop") is
// never a candidate, and re-ranking cannot bring it back. The words Search's
// best hits share, and the question lacks, are often those other words: the
// question widened by them is searched again, and what only the second pass
// found joins the pool the re-ranker orders, after the first pass's hits.
//
// It does not ship (ExpandWords is 0): cmd/recall-bench cross-validates it
// beside one pass, same folds; held out, its gains on SemEval pool MAP and
// LiveChat top-3 stayed within noise and it lost a little on subtask B
// (README, evaluation), while recall's CPU time grew about 2.5 times at
// 100k entries. It stays measured so that a community-sized repertoire can
// re-check it.

// ExpandWords is how many feedback words recall adds to a question for its
// second pass (0: one pass only); expandDocs how many of the first pass's
// hits the words come from.
const (
	ExpandWords = 0
	expandDocs  = 3
)

// Expansion returns up to n words, most weighty first, that the top
// expandDocs hits hold and the question does not: each word (grouped by
// stem, spelled as most often written) weighs the sum over those hits of its
// log-scaled count, divided by the hit's length, times how rare it is among
// all the hits.
func Expansion(question string, hits []repertoire.Hit, n int) []string {
	if n <= 0 || len(hits) == 0 {
		return nil
	}
	asked := map[string]bool{}
	for w := range expansionCounts(question) {
		asked[w] = true
	}
	counts := make([]map[string]int, len(hits))
	spell := map[string]map[string]int{}
	df := map[string]int{}
	for i, h := range hits {
		counts[i] = map[string]int{}
		for _, w := range expansionWords(h.Question + "\n" + h.Answer) {
			s := repertoire.Stem(w)
			counts[i][s]++
			if i < expandDocs {
				if spell[s] == nil {
					spell[s] = map[string]int{}
				}
				spell[s][w]++
			}
		}
		for s := range counts[i] {
			df[s]++
		}
	}
	weight := map[string]float64{}
	for i := range min(expandDocs, len(hits)) {
		length := 0
		for _, c := range counts[i] {
			length += c
		}
		for s, c := range counts[i] {
			if asked[s] {
				continue
			}
			idf := math.Log(1 + float64(len(hits))/float64(df[s]))
			weight[s] += (1 + math.Log(float64(c))) / math.Log(2+float64(length)) * idf
		}
	}
	var out []string
	for _, s := range heaviest(weight, n) {
		best, bn := "", 0
		for w, c := range spell[s] {
			if c > bn || c == bn && w < best {
				best, bn = w, c
			}
		}
		out = append(out, best)
	}
	return out
}

// expansionWords are a text's words as expansion weighs them: lower case,
// letters and digits, at least three characters, not a number, not a stop
// word.
func expansionWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if len(w) < 3 || len(w) > 32 || answerStopWords[w] || strings.IndexFunc(w, unicode.IsLetter) < 0 {
			continue
		}
		out = append(out, w)
	}
	return out
}

func expansionCounts(text string) map[string]int {
	out := map[string]int{}
	for _, w := range expansionWords(text) {
		out[repertoire.Stem(w)]++
	}
	return out
}

// AppendPasses keeps the first pass's hits in their order and adds after
// them those only the second pass found, in its order: the second pass
// only widens the candidates, the first pass's order is untouched.
func AppendPasses(first, second []repertoire.Hit) []repertoire.Hit {
	seen := make(map[int64]bool, len(first))
	out := make([]repertoire.Hit, 0, len(first)+len(second))
	for _, h := range first {
		seen[h.ID] = true
		out = append(out, h)
	}
	for _, h := range second {
		if !seen[h.ID] {
			seen[h.ID] = true
			out = append(out, h)
		}
	}
	return out
}

// SearchExpanded is recall's candidate generation: Search for the question,
// then, when words > 0, the second pass (SecondPass), its new hits after
// the first pass's (at most twice p.Limit in all).
func SearchExpanded(ctx context.Context, s repertoire.RecallStore, p repertoire.SearchParams, words int) ([]repertoire.Hit, error) {
	hits, err := s.Search(ctx, p)
	if err != nil {
		return nil, err
	}
	more, err := SecondPass(ctx, s, p, hits, words)
	if err != nil {
		return nil, err
	}
	return AppendPasses(hits, more), nil
}

// SecondPass searches for the question widened by the feedback words of
// the first pass's hits (none when words is 0 or there is nothing to learn
// from), with the same audience: it never finds what the first pass could
// not show.
func SecondPass(ctx context.Context, s repertoire.RecallStore, p repertoire.SearchParams, first []repertoire.Hit, words int) ([]repertoire.Hit, error) {
	if words <= 0 || len(first) == 0 {
		return nil, nil
	}
	extra := Expansion(p.Text, first, words)
	if len(extra) == 0 {
		return nil, nil
	}
	q := p
	q.Text = p.Text + "\n" + strings.Join(extra, " ")
	return s.Search(ctx, q)
}

// heaviest is the n keys of weight with the largest weights, heaviest
// first; weights equal to nine decimals go by key, so that the order does
// not hang on the summing order of floats.
func heaviest(weight map[string]float64, n int) []string {
	keys := make([]string, 0, len(weight))
	for k := range weight {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		wa, wb := math.Round(weight[keys[a]]*1e9), math.Round(weight[keys[b]]*1e9)
		return wa > wb || wa == wb && keys[a] < keys[b]
	})
	return keys[:min(n, len(keys))]
}
