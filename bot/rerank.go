package bot

import (
	"math"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// Re-ranking recall's candidates. Search ranks by BM25F over the most
// informative words of the question (its cost must stay bounded); this
// layer looks again at its best candidates with every word of the
// question: the cosine of the question with each candidate's question and
// with its whole text, weighted by how rare each word is among the
// candidates, the same widened by pseudo-relevance feedback, and the word
// associations the community's own saved pairs taught (assoc.go). It fuses
// those orders with Search's own by weighted reciprocal rank (k = 60); the
// weights and the pool are chosen by cross-validation (cmd/recall-bench
// -cv). It changes order only, never what a member may see.

// rerankFusionK is the reciprocal-rank constant of the usual fusion rule;
// RerankPool how many of Search's hits recall looks at again.
const (
	rerankFusionK  = 60
	RerankPool     = 50
	feedbackDocs   = 3
	feedbackWeight = 0.5
)

// RerankWeights are the weights of the orders the re-ranker fuses by
// reciprocal rank: Search's own, the cosine with each candidate's question,
// with its whole text, with the question widened by pseudo-relevance
// feedback, and learned word associations (assoc.go). A question with fewer
// than MinWords distinct words keeps Search's order.
type RerankWeights struct {
	Search, Question, Whole, Feedback, Assoc float64
	MinWords                                 int
}

// DefaultRerank is the weighting recall uses. The weights are chosen by
// 5-fold cross-validation over SemEval-2016 questions and LiveChat dialogs
// (cmd/recall-bench -cv), from a small grid; the fold-averaged figures are
// in README.md.
var DefaultRerank = RerankWeights{Search: 1, Question: 1, Whole: 0, Feedback: 1, Assoc: 0, MinWords: 0}

// Rerank reorders hits (Search's order, best first) for the question with
// DefaultRerank and no associations.
func Rerank(question string, hits []repertoire.Hit) []repertoire.Hit {
	return RerankWith(question, hits, DefaultRerank, nil)
}

// RerankWith reorders hits (Search's order, best first) for the question
// with weights w and associations a (nil for none).
func RerankWith(question string, hits []repertoire.Hit, w RerankWeights, a *Assoc) []repertoire.Hit {
	if len(hits) < 2 || len(wordCounts(question)) < max(w.MinWords, 1) {
		return hits // a short question: Search saw all of it, and its votes and feedback decide
	}
	idx := Signals(question, hits, a).Order(w)
	out := make([]repertoire.Hit, len(hits))
	for k, i := range idx {
		out[k] = hits[i]
	}
	return out
}

// RerankSignals are the orders of one question's candidates the re-ranker
// fuses, computed once so that weightings can be compared cheaply
// (cmd/recall-bench chooses them by cross-validation).
type RerankSignals struct {
	words  int     // the question's distinct words
	orders [][]int // Search, question, whole text, feedback, associations
}

// Signals computes the orders of hits for the question.
func Signals(question string, hits []repertoire.Hit, a *Assoc) RerankSignals {
	q := wordCounts(question)
	sig := RerankSignals{words: len(q)}
	if len(hits) < 2 || len(q) == 0 {
		return sig
	}
	qs := make([]map[string]int, len(hits))
	all := make([]map[string]int, len(hits))
	df := map[string]int{}
	for i, h := range hits {
		qs[i] = wordCounts(h.Question)
		all[i] = wordCounts(h.Question + "\n" + h.Answer)
		for w := range all[i] {
			df[w]++
		}
	}
	idf := func(w string) float64 { return math.Log(1 + float64(len(hits))/float64(1+df[w])) }
	simQ := make([]float64, len(hits))
	simAll := make([]float64, len(hits))
	for i := range hits {
		simQ[i] = weightedCosine(q, qs[i], idf)
		simAll[i] = weightedCosine(q, all[i], idf)
	}
	// Pseudo-relevance feedback: the question's words plus those of Search's
	// top three candidates (half weight) against each candidate's text.
	fb := map[string]float64{}
	for w, x := range q {
		fb[w] += (1 + math.Log(float64(x))) * idf(w)
	}
	qNorm := vecNorm(q, idf)
	for i := range min(feedbackDocs, len(hits)) {
		scale := feedbackWeight * qNorm / vecNorm(all[i], idf)
		for w, x := range all[i] {
			fb[w] += scale * (1 + math.Log(float64(x))) * idf(w)
		}
	}
	simFB := make([]float64, len(hits))
	for i := range hits {
		simFB[i] = floatCosine(fb, all[i], idf)
	}
	sig.orders = [][]int{identity(len(hits)), rankBy(simQ), rankBy(simAll), rankBy(simFB), nil}
	if !a.Empty() {
		sa := make([]float64, len(hits))
		some := false
		for i := range hits {
			sa[i] = a.score(q, all[i])
			some = some || sa[i] > 0
		}
		if some { // no association at all: the signal abstains
			sig.orders[4] = rankBy(sa)
		}
	}
	return sig
}

// Order fuses the signals with weights w by reciprocal rank and returns
// the candidates' indexes, best first; Search's order when the question
// has fewer than w.MinWords words.
func (s RerankSignals) Order(w RerankWeights) []int {
	if len(s.orders) == 0 {
		return nil
	}
	n := len(s.orders[0])
	if s.words < w.MinWords {
		return identity(n)
	}
	fused := make([]float64, n)
	for f, weight := range []float64{w.Search, w.Question, w.Whole, w.Feedback, w.Assoc} {
		for r, i := range s.orders[f] {
			fused[i] += weight / float64(rerankFusionK+r+1)
		}
	}
	return rankBy(fused)
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// rankBy returns indexes ordered by score, highest first, stable. Scores
// are rounded to 1e-9 first: sums over maps come in any order, and the
// last bits must not decide a tie.
func rankBy(score []float64) []int {
	r := make([]float64, len(score))
	for i, x := range score {
		r[i] = math.Round(x*1e9) / 1e9
	}
	idx := identity(len(score))
	sort.SliceStable(idx, func(a, b int) bool { return r[idx[a]] > r[idx[b]] })
	return idx
}

// weightedCosine is the cosine of two word-count vectors with each word
// weighted by idf (log-scaled counts).
func weightedCosine(a, b map[string]int, idf func(string) float64) float64 {
	var dot, na, nb float64
	for w, x := range a {
		wa := (1 + math.Log(float64(x))) * idf(w)
		na += wa * wa
		if y := b[w]; y > 0 {
			dot += wa * (1 + math.Log(float64(y))) * idf(w)
		}
	}
	for w, y := range b {
		wb := (1 + math.Log(float64(y))) * idf(w)
		nb += wb * wb
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func vecNorm(a map[string]int, idf func(string) float64) float64 {
	s := 0.0
	for w, x := range a {
		v := (1 + math.Log(float64(x))) * idf(w)
		s += v * v
	}
	return math.Max(math.Sqrt(s), 1e-9)
}

// floatCosine is the cosine of a weighted query vector with a word-count
// vector weighted as in weightedCosine.
func floatCosine(q map[string]float64, b map[string]int, idf func(string) float64) float64 {
	var dot, nq float64
	for w, x := range q {
		nq += x * x
		if y := b[w]; y > 0 {
			dot += x * (1 + math.Log(float64(y))) * idf(w)
		}
	}
	if nq == 0 {
		return 0
	}
	return dot / math.Sqrt(nq) / vecNorm(b, idf)
}
