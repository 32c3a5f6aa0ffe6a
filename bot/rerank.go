package bot

import (
	"maps"
	"math"
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// Re-ranking recall's candidates. Search ranks by BM25F over the most
// informative words of the question (its cost must stay bounded); this
// layer looks again at its best candidates with every word of the
// question: the cosine of the question with each candidate's question and
// with its whole text, weighted by how rare each word is among the
// candidates, the same widened by pseudo-relevance feedback, and the word
// associations the community's own saved pairs taught (assoc.go). Recall
// orders by a learned linear model over those measures and Search's own
// rank and score (rerank_model.go, DefaultRerank); reciprocal-rank fusion
// of the orders (k = 60, FusionRerank) is what it replaced, kept beside it
// in cmd/recall-bench -cv. It changes order only, never what a member may
// see.

// rerankFusionK is the reciprocal-rank constant of the usual fusion rule;
// RerankPool how many of Search's hits recall looks at again.
const (
	rerankFusionK = 60
	RerankPool    = 50
)

// RerankWeights are the weights of the orders the re-ranker fuses by
// reciprocal rank: Search's own, the cosine with each candidate's question,
// with its whole text, with the question widened by pseudo-relevance
// feedback, and learned word associations (assoc.go). A question with fewer
// than MinWords distinct words keeps Search's order.
type RerankWeights struct {
	Search, Question, Whole, Feedback, Assoc float64
	MinWords                                 int
	// Learned weighs the order of the learned model Model (rerank_model.go:
	// intercept, then one weight per RerankFeatureNames); 0 or no model:
	// fusion alone.
	Learned float64
	Model   []float64
	// PRF is the pseudo-relevance feedback the feedback signal widens the
	// question with (zero: FusionPRF).
	PRF PRF
}

// DefaultRerank is the weighting recall uses: the learned model's order
// alone (rerank_model.go), which reads the fusion's orders among its
// features. Cross-validated over SemEval-2016 questions and LiveChat
// dialogs (cmd/recall-bench -cv), it loses on no set held out beside
// FusionRerank and gains on LiveChat; the fold-averaged figures are in
// README.md.
var DefaultRerank = RerankWeights{Learned: 1, Model: rerankWeights(), PRF: rerankPRF()}

// FusionRerank is reciprocal-rank fusion alone, the weighting recall
// shipped before the learned model: chosen by 5-fold cross-validation
// from a small grid (cmd/recall-bench -cv prints the choice).
var FusionRerank = RerankWeights{Search: 1, Question: 1, Whole: 0, Feedback: 1, Assoc: 0, MinWords: 0}

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
	idx := signals(question, hits, a, w.Learned > 0, w.PRF).Order(w)
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
	words  int         // the question's distinct words
	orders [][]int     // Search, question, whole text, feedback, associations
	feats  [][]float64 // each candidate's features (rerank_model.go)
}

// Signals computes the orders of hits for the question, and the features
// the learned model reads.
// The feedback signal uses FusionPRF.
func Signals(question string, hits []repertoire.Hit, a *Assoc) RerankSignals {
	return signals(question, hits, a, true, PRF{})
}

// SignalsPRF is Signals with the pseudo-relevance feedback p.
func SignalsPRF(question string, hits []repertoire.Hit, a *Assoc, p PRF) RerankSignals {
	return signals(question, hits, a, true, p)
}

// signals is Signals, with the learned model's features only when asked
// (recall does not pay for what it does not weigh).
func signals(question string, hits []repertoire.Hit, a *Assoc, features bool, p PRF) RerankSignals {
	if p.Docs <= 0 {
		p = FusionPRF
	}
	q := wordCounts(question)
	sig := RerankSignals{words: len(q)}
	if len(hits) < 2 || len(q) == 0 {
		return sig
	}
	// Each candidate is tokenised once: its question's words, then its
	// answer's, in one slice (the features read the sequence, the
	// cosines the counts).
	seqs := make([][]string, len(hits))
	qlen := make([]int, len(hits))
	qs := make([]map[string]int, len(hits))
	all := make([]map[string]int, len(hits))
	df := map[string]int{}
	var ans []map[string]int // the answers' own counts, for the features
	if features {
		ans = make([]map[string]int, len(hits))
	}
	var scratch []string // the sequences are kept only for the features
	var lines [][]int    // per candidate, where each line of its answer ends in seqs[i]
	var titles []int     // per candidate, where its question's first line ends
	if features {
		lines, titles = make([][]int, len(hits)), make([]int, len(hits))
	}
	for i, h := range hits {
		var seq []string
		if features {
			// Line by line gives the same words (a line break separates
			// words) and tells where each line ends.
			title, body, _ := strings.Cut(h.Question, "\n")
			seq = appendWords(nil, title)
			titles[i] = len(seq)
			seq = appendWords(seq, body)
			qlen[i] = len(seq)
			for rest, more := h.Answer, true; more; {
				var line string
				line, rest, more = strings.Cut(rest, "\n")
				seq = appendWords(seq, line)
				lines[i] = append(lines[i], len(seq))
			}
		} else {
			seq = appendWords(scratch[:0], h.Question)
			qlen[i] = len(seq)
			seq = appendWords(seq, h.Answer)
		}
		qs[i] = countWords(seq[:qlen[i]])
		if features {
			seqs[i] = seq
			ans[i] = countWords(seq[qlen[i]:])
			all[i] = maps.Clone(ans[i])
			for w, x := range qs[i] {
				all[i][w] += x
			}
		} else {
			scratch = seq
			all[i] = countWords(seq)
		}
		for w := range all[i] {
			df[w]++
		}
	}
	// Every vector is weighed once: log-scaled counts times how rare the
	// word is among the candidates.
	idf := make(map[string]float64, len(df)+len(q))
	for w, n := range df {
		idf[w] = math.Log(1 + float64(len(hits))/float64(1+n))
	}
	for w := range q {
		if _, ok := idf[w]; !ok {
			idf[w] = math.Log(1 + float64(len(hits)))
		}
	}
	qv := weigh(q, idf)
	simQ := make([]float64, len(hits))
	simAll := make([]float64, len(hits))
	simA := make([]float64, len(hits))
	allv := make([]wvec, len(hits))
	for i := range hits {
		allv[i] = weigh(all[i], idf)
		simQ[i] = wcosine(qv, weigh(qs[i], idf))
		simAll[i] = wcosine(qv, allv[i])
		if features {
			simA[i] = wcosine(qv, weigh(ans[i], idf))
		}
	}
	// Pseudo-relevance feedback: the question's words plus those of Search's
	// top p.Docs candidates (at weight p.Weight) against each candidate's text.
	fb := wvec{w: make(map[string]float64, len(q))}
	for w, x := range qv.w {
		fb.w[w] += x
	}
	for i := range min(p.Docs, len(hits)) {
		scale := p.Weight * max(qv.norm, 1e-9) / max(allv[i].norm, 1e-9)
		for w, x := range allv[i].w {
			fb.w[w] += scale * x
		}
	}
	for _, x := range fb.w {
		fb.norm += x * x
	}
	fb.norm = math.Sqrt(fb.norm)
	simFB := make([]float64, len(hits))
	for i := range hits {
		if fb.norm > 0 {
			simFB[i] = dotw(fb, allv[i]) / fb.norm / max(allv[i].norm, 1e-9)
		}
	}
	sig.orders = [][]int{identity(len(hits)), rankBy(simQ), rankBy(simAll), rankBy(simFB), nil}
	var sa []float64
	if !a.Empty() {
		sa = make([]float64, len(hits))
		some := false
		for i := range hits {
			sa[i] = a.score(q, all[i])
			some = some || sa[i] > 0
		}
		if some { // no association at all: the signal abstains
			sig.orders[4] = rankBy(sa)
		}
	}
	if features {
		sig.feats = rerankFeatures(question, hits, q, idf, seqs, qlen, qs, all, simQ, simAll, simA, simFB, sa, sig.orders)
		textFeatures(sig.feats, question, qv, idf, seqs, qlen, lines, titles)
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
	if w.Learned > 0 {
		for r, i := range s.Learned(w.Model) {
			fused[i] += w.Learned / float64(rerankFusionK+r+1)
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

// wvec is a word vector weighed for the cosine: log-scaled counts times
// idf, with its norm.
type wvec struct {
	w    map[string]float64
	norm float64
}

func weigh(c map[string]int, idf map[string]float64) wvec {
	v := wvec{w: make(map[string]float64, len(c))}
	for w, x := range c {
		x := (1 + math.Log(float64(x))) * idf[w]
		v.w[w] = x
		v.norm += x * x
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

// dotw is the dot product of two weighed vectors, walking the smaller.
func dotw(a, b wvec) float64 {
	if len(a.w) > len(b.w) {
		a, b = b, a
	}
	s := 0.0
	for w, x := range a.w {
		s += x * b.w[w]
	}
	return s
}

func wcosine(a, b wvec) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	return dotw(a, b) / (a.norm * b.norm)
}
