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
// question widened by them is searched again, and the two passes' hits are
// merged by reciprocal rank into the pool the re-ranker orders. Whether and
// how widely to expand is chosen by cross-validation (cmd/recall-bench).

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
	stems := make([]string, 0, len(weight))
	for s := range weight {
		stems = append(stems, s)
	}
	sort.Slice(stems, func(a, b int) bool {
		wa, wb := math.Round(weight[stems[a]]*1e9), math.Round(weight[stems[b]]*1e9)
		return wa > wb || wa == wb && stems[a] < stems[b]
	})
	var out []string
	for _, s := range stems[:min(n, len(stems))] {
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

// MergePasses merges the hits of two passes by reciprocal rank (k = 60):
// an entry both found goes before one only one found at the same place.
// At most limit hits, the first pass's first on a tie.
func MergePasses(first, second []repertoire.Hit, limit int) []repertoire.Hit {
	score := map[int64]float64{}
	var all []repertoire.Hit
	for _, pass := range [][]repertoire.Hit{first, second} {
		for r, h := range pass {
			if _, seen := score[h.ID]; !seen {
				all = append(all, h)
			}
			score[h.ID] += 1 / float64(rerankFusionK+r+1)
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		return math.Round(score[all[a].ID]*1e12) > math.Round(score[all[b].ID]*1e12)
	})
	return all[:min(limit, len(all))]
}

// SearchExpanded is recall's candidate generation: Search for the question,
// then, when words > 0, Search again for the question widened by the first
// pass's feedback words, the two merged. The second pass asks with the same
// audience, so it never finds what the first could not show.
func SearchExpanded(ctx context.Context, s repertoire.RecallStore, p repertoire.SearchParams, words int) ([]repertoire.Hit, error) {
	hits, err := s.Search(ctx, p)
	if err != nil || words <= 0 || len(hits) == 0 {
		return hits, err
	}
	extra := Expansion(p.Text, hits, words)
	if len(extra) == 0 {
		return hits, nil
	}
	q := p
	q.Text = p.Text + "\n" + strings.Join(extra, " ")
	more, err := s.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return MergePasses(hits, more, max(p.Limit, len(hits))), nil
}
