package bot

import (
	"math"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// Re-ranking recall's candidates. Search ranks by BM25F over at most the
// first words of a long question (its cost must stay bounded); this layer
// looks again at its best candidates with every word of the question: the
// cosine of the question with each candidate's question and with its
// whole text, weighted by how rare each word is among the candidates, and
// fuses those orders with Search's own by reciprocal rank (k = 60, equal
// weights: set beforehand, not fitted). It changes order only, never what
// a member may see.

// rerankFusionK is the reciprocal-rank constant of the usual fusion rule;
// RerankPool how many of Search's hits recall looks at again.
const (
	rerankFusionK  = 60
	RerankPool     = 20
	feedbackDocs   = 3
	feedbackWeight = 0.5
	rerankMinWords = 8 // below this Search's order (which carries members' feedback) stands
)

// Rerank reorders hits (Search's order, best first) for the question.
func Rerank(question string, hits []repertoire.Hit) []repertoire.Hit {
	if len(hits) < 2 {
		return hits
	}
	q := wordCounts(question)
	if len(q) < rerankMinWords {
		return hits // a short question: Search saw all of it, and its votes and feedback decide
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
	fused := make([]float64, len(hits))
	for _, order := range [][]int{identity(len(hits)), rankBy(simQ), rankBy(simAll), rankBy(simFB)} {
		for r, i := range order {
			fused[i] += 1 / float64(rerankFusionK+r+1)
		}
	}
	idx := rankBy(fused)
	out := make([]repertoire.Hit, len(hits))
	for k, i := range idx {
		out[k] = hits[i]
	}
	return out
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
