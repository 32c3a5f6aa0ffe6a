package bot

import (
	"math"

	"github.com/repertoire/repertoire/repertoire"
)

// The learned re-ranker. Reciprocal-rank fusion (rerank.go) weighs whole
// orders and cannot tell by how much one candidate beats another; this
// model reads each candidate's features (its place and score in Search's
// order, how much of the question it holds and where, the cosines the
// fusion ranks by, its length) and scores it with a linear function whose
// weights were learned from pairs "a relevant candidate above one that is
// not" (pairwise logistic regression, deterministic: Newton's method),
// trained on SemEval questions and LiveChat dialogs together (each set
// weighing the same) and judged by cross-validation in cmd/recall-bench
// (folds held out of the training, paired intervals beside bm25 and the
// fusion it replaces). Every candidate is read with the same weights,
// whether it was saved with a question of its own (a thread) or not (a
// dialog): a first model that also weighed each feature a second time
// for entries with a question fitted SemEval's few training questions
// and lost on its subtask B held out. The first model that shipped (v1)
// read the first 22 features; the second (v2, DefaultRerank) adds two that
// read the answer line by line and the question's title (rerank_text.go),
// which gained pool MAP held out and lost on no set (README, evaluation).
// Pseudo-relevance feedback stays at three candidates and half weight
// (FusionPRF): choosing it by cross-validation inside the training folds
// lost subtask B held out. One feature is the word associations the
// community's saved pairs taught (assoc.go), so recall looks them up. Its
// weights (rerank_weights.go) are written, reproducibly, by
//
//	go run ./cmd/recall-bench -sizes "" -expand 0 -semeval FILE -livechat DIR -train-rerank bot/rerank_weights.go

// RerankFeatureNames name the learned re-ranker's features, in order.
var RerankFeatureNames = []string{
	"search_rr",          // 1/(1 + its rank in Search's order)
	"search_logrank",     // log(1 + that rank)
	"search_score",       // its Search score over the best one's
	"coverage",           // Search's share of the question's weight it matches
	"question_coverage",  // the same, in its question and tags
	"cos_question",       // cosine of the question with its question
	"cos_whole",          // … with its whole text
	"cos_answer",         // … with its answer
	"cos_feedback",       // … widened by pseudo-relevance feedback, with its whole text
	"cos_question_rel",   // cos_question over the pool's largest
	"cos_whole_rel",      // cos_whole over the pool's largest
	"term_share",         // share of the question's word weight (idf) its text holds
	"question_share",     // the same in its question alone
	"pairs",              // share of the question's adjacent word pairs it holds near each other
	"early",              // share of the question's word weight in the first 40 words of its answer
	"length",             // log(1 + words)
	"assoc",              // learned word associations (assoc.go; 0 when none)
	"cos_whole_x_search", // cos_whole times search_rr
	// The fusion's own terms (rerank.go), so that the model can keep what
	// reciprocal-rank fusion gets right: 60/(61 + rank) in each order.
	"rrf_search",
	"rrf_question",
	"rrf_whole",
	"rrf_feedback",
	// Added by the second model (rerank_text.go): the question against
	// each line of the answer (a reply, a comment) and against its title.
	"cos_best_line",
	"cos_title",
}

// NumRerankFeatures is the length of a feature vector.
const NumRerankFeatures = 24

// NumRerankFeaturesFirst is how many features the first learned model
// read (the first 22 names); recall-bench trains it beside the current one.
const NumRerankFeaturesFirst = 22

// earlyWords is how far into an answer a match counts as early.
const earlyWords = 40

// rerankFeatures computes every candidate's feature vector from what
// Signals measured (q the question's counts, idf and the cosines).
func rerankFeatures(question string, hits []repertoire.Hit, q map[string]int, idf map[string]float64, seqs [][]string, qlen []int, qs, all []map[string]int, simQ, simAll, simA, simFB, sa []float64, orders [][]int) [][]float64 {
	qseq := wordSeq(question)
	qWeight := 0.0
	for w := range q {
		qWeight += idf[w]
	}
	maxQ, maxAll := maxOf(simQ), maxOf(simAll)
	top := 0.0
	if len(hits) > 0 {
		top = hits[0].Score
	}
	out := make([][]float64, len(hits))
	for i, h := range hits {
		f := make([]float64, NumRerankFeatures)
		f[0] = 1 / float64(i+1)
		f[1] = math.Log(float64(i + 1))
		if top > 0 {
			f[2] = h.Score / top
		}
		f[3], f[4] = h.Coverage, h.QuestionCoverage
		f[5], f[6], f[7], f[8] = simQ[i], simAll[i], simA[i], simFB[i]
		if maxQ > 0 {
			f[9] = simQ[i] / maxQ
		}
		if maxAll > 0 {
			f[10] = simAll[i] / maxAll
		}
		if qWeight > 0 {
			f[11] = weightHeld(q, all[i], idf) / qWeight
			f[12] = weightHeld(q, qs[i], idf) / qWeight
		}
		whole, aseq := seqs[i], seqs[i][qlen[i]:]
		f[13] = pairsHeld(qseq, whole)
		if qWeight > 0 {
			early := map[string]int{}
			for _, w := range aseq[:min(earlyWords, len(aseq))] {
				early[w]++
			}
			f[14] = weightHeld(q, early, idf) / qWeight
		}
		f[15] = math.Log(1 + float64(len(whole)))
		if sa != nil {
			f[16] = sa[i]
		}
		f[17] = simAll[i] * f[0]
		out[i] = f
	}
	for k, order := range orders[:4] {
		for r, i := range order {
			out[i][18+k] = float64(rerankFusionK) / float64(rerankFusionK+r+1)
		}
	}
	return out
}

// Learned orders the candidates by the linear model w (intercept first,
// then one weight per RerankFeatureNames), best first; nil when there
// is nothing to order or w does not fit.
func (s RerankSignals) Learned(w []float64) []int {
	if len(s.feats) == 0 || len(w) != NumRerankFeatures+1 {
		return nil
	}
	score := make([]float64, len(s.feats))
	for i, f := range s.feats {
		z := w[0]
		for k, x := range f {
			z += w[k+1] * x
		}
		score[i] = z
	}
	return rankBy(score)
}

// Features returns the candidates' feature vectors (for training).
func (s RerankSignals) Features() [][]float64 { return s.feats }

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

// weightHeld is the idf weight of the question's words that doc holds.
func weightHeld(q, doc map[string]int, idf map[string]float64) float64 {
	s := 0.0
	for w := range q {
		if doc[w] > 0 {
			s += idf[w]
		}
	}
	return s
}

// wordSeq is text's words in order, normalised as wordCounts counts them.
func wordSeq(text string) []string {
	return appendWords(nil, text)
}

// pairsHeld is the share of the question's adjacent word pairs (distinct)
// that doc holds within three words of each other, in either order.
func pairsHeld(q, doc []string) float64 {
	want := map[[2]string]bool{}
	for i := 1; i < len(q); i++ {
		if q[i] != q[i-1] {
			want[pairKey(q[i-1], q[i])] = true
		}
	}
	if len(want) == 0 {
		return 0
	}
	inQ := make(map[string]bool, len(q))
	for _, w := range q {
		inQ[w] = true
	}
	found := map[[2]string]bool{}
	for i := range doc {
		if !inQ[doc[i]] {
			continue // no wanted pair holds a word the question lacks
		}
		for j := i + 1; j < min(i+4, len(doc)); j++ {
			if !inQ[doc[j]] {
				continue
			}
			if k := pairKey(doc[i], doc[j]); want[k] {
				found[k] = true
			}
		}
	}
	return float64(len(found)) / float64(len(want))
}

func pairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}
