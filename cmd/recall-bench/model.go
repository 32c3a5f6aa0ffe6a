package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"slices"
	"strings"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/learn"
)

// Training the learned re-ranker (bot/rerank_model.go). Each question of a
// set gives pairs (a relevant candidate of Search's top cvDepth, one that is
// not); the model is a logistic regression on the difference of their
// features, both ways round, so it learns which of two candidates is the
// better. A question weighs the same whatever its number of pairs, and each
// set the same whatever its number of questions.

// cvSet is one data set's questions with their signal cache.
type cvSet struct {
	name      string
	queries   []*cvQuery
	memo      *signalMemo
	objective func(cvScore) float64 // what the set's figures reward
	scoresTo  string                // LiveChat: a file to write each dialog's held-out figures to (-livechat-scores)
	compareTo string                // LiveChat: another run's such file, to compare with dialog by dialog (-livechat-compare)
}

// rerankL2s are the penalties the learned re-ranker's is chosen among, by
// cross-validation inside the training folds.
var rerankL2s = []float64{0.01, 0.1, 1}

// rerankPRFs are the pseudo-relevance feedback settings (bot.PRF) the
// second model's is chosen among, with its penalty, inside the training
// folds: 1, 3 or 10 of Search's top candidates at a quarter, half or full
// weight of the question.
var rerankPRFs = func() []bot.PRF {
	var out []bot.PRF
	for _, d := range []int{1, 3, 10} {
		for _, w := range []float64{0.25, 0.5, 1} {
			out = append(out, bot.PRF{Docs: d, Weight: w})
		}
	}
	return out
}()

// modelVariant is a learned re-ranker trained and cross-validated in the
// same run as the others: it reads the first feats features but skip, with
// a feedback setting chosen among prfs (one: fixed).
type modelVariant struct {
	name  string
	feats int
	prfs  []bot.PRF
	skip  string // features of the first feats it does not read, comma-separated ("": none)
	// small: a model of small pools, trained and read on each SemEval
	// question's own related threads as the whole pool (cvQuery.ownHits:
	// subtask B's own pairs) instead of Search's top cvDepth; only subtask
	// B reads it. Measured, not shipped (README, evaluation).
	small bool
	// engine: a small-pool model whose first stage is the search engine's
	// order (cvQuery.engineHits): Search's rank features are filled from
	// the engine's rank, so it combines the engine's order with content as
	// recall's model combines Search's. Only subtask B reads it, and it
	// uses the task's own order. Measured, not shipped.
	engine bool
}

// reads says whether the variant trains on and scores question q: the
// small-pool models only questions with subtask B's own threads.
func (v modelVariant) reads(q *cvQuery) bool {
	switch {
	case v.engine:
		return q.engineHits != nil
	case v.small:
		return q.ownHits != nil
	}
	return true
}

// readsSet says whether the variant reads any question of s.
func (v modelVariant) readsSet(s *cvSet) bool { return slices.ContainsFunc(s.queries, v.reads) }

// modelVariants are the learned models recall-bench trains, side by side:
// the first (what shipped before: 22 features, feedback fixed at three
// candidates and half weight), the same with its feedback chosen by
// cross-validation inside the training folds, and the second, which ships:
// the first plus two features that read the answer line by line and the
// question's title (bot/rerank_text.go), feedback fixed; then each of
// those two features alone, so that each is seen; then two answers to
// "v2's pool-relative features, learned on pools of cvDepth, do not carry
// to a question's own ten threads": a model trained on those ten (small),
// and v2 without the pool-relative features (pool-free). Neither ships.
// Last, subtask B's own analogue of recall's re-ranker: v2's features
// trained on each SemEval question's own threads with the search engine's
// order as the first stage (engine-first), the task's order combined with
// content as recall combines Search's. It uses the engine's order, which a
// member's recall never has, and does not ship.
var modelVariants = []modelVariant{
	{name: "learned v1 (CV)", feats: bot.NumRerankFeaturesFirst, prfs: []bot.PRF{bot.FusionPRF}},
	{name: "v1 + PRF chosen (CV)", feats: bot.NumRerankFeaturesFirst, prfs: rerankPRFs},
	{name: "learned v2 (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}},
	{name: "v1 + best line (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}, skip: "cos_title"},
	{name: "v1 + title (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}, skip: "cos_best_line"},
	{name: "small-pool model (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}, small: true},
	{name: "v2, pool-free (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}, skip: poolRelative},
	{name: "engine-first model (CV)", feats: bot.NumRerankFeatures, prfs: []bot.PRF{bot.FusionPRF}, small: true, engine: true},
}

// poolRelative are the features that place a candidate among the others
// of its pool (its rank, its score over the best one's, its cosines over
// the pool's largest, the fusion's reciprocal ranks): the pool-free
// variant does without them, so that it reads a pool of ten as it was
// trained on pools of cvDepth.
const poolRelative = "search_rr,search_logrank,search_score,cos_question_rel,cos_whole_rel,cos_whole_x_search,rrf_search,rrf_question,rrf_whole,rrf_feedback"

// shippedVariant is the index of the variant -train-rerank writes (bot's
// DefaultRerank).
const shippedVariant = 2

// fitRerank trains the model of variant v with penalty l2 and feedback p
// on every question of the sets in neither fold heldOut nor fold inner
// (-1: none), each scored with associations that never saw its own fold
// nor heldOut. The weights are padded to every feature (zeros for those
// the variant does not read).
func fitRerank(sets []*cvSet, heldOut, inner int, l2 float64, v modelVariant, p bot.PRF) ([]float64, error) {
	var x [][]float64
	var weight []float64
	total := 0
	for _, s := range sets {
		total += len(s.queries)
	}
	if v.small {
		// Only subtask B's own pairs train the small-pool models.
		sets = slices.DeleteFunc(slices.Clone(sets), func(s *cvSet) bool { return !v.readsSet(s) })
		total = 0
		for _, s := range sets {
			total += len(s.queries)
		}
	}
	nf := v.feats
	var skip []int // columns of zeros: their weights are 0 under the penalty
	for _, name := range strings.Split(v.skip, ",") {
		if i := slices.Index(bot.RerankFeatureNames, name); i >= 0 {
			skip = append(skip, i)
		}
	}
	for _, s := range sets {
		var use []*cvQuery
		for _, q := range s.queries {
			if q.fold != heldOut && q.fold != inner && v.reads(q) {
				use = append(use, q)
			}
		}
		scale := float64(total) / float64(len(sets)) / float64(max(len(use), 1))
		for _, q := range use {
			head, _ := q.candidates(cvDepth, 0)
			feats := s.memo.learned(q, s.queries, heldOut, p).Features()
			switch {
			case v.engine:
				head, feats = q.engineHits, s.memo.engineSignals(q, s.queries, heldOut, p).Features()
			case v.small:
				head, feats = q.ownHits, s.memo.ownSignals(q, s.queries, heldOut, p).Features()
			}
			if len(feats) != len(head) {
				continue
			}
			var pos, neg []int
			for i, h := range head {
				if q.relevant[h.SourceID] {
					pos = append(pos, i)
				} else {
					neg = append(neg, i)
				}
			}
			if len(pos) == 0 || len(neg) == 0 {
				continue
			}
			// Each pair weighs what it and its mirror image (the worse
			// first) weighed in the first model's fit: the same weights.
			w := scale / float64(len(pos)*len(neg))
			for _, pi := range pos {
				for _, ni := range neg {
					d := make([]float64, nf)
					for k := range d {
						d[k] = feats[pi][k] - feats[ni][k]
					}
					for _, k := range skip {
						d[k] = 0
					}
					x, weight = append(x, d), append(weight, w)
				}
			}
		}
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("train re-ranker: no question has both a relevant candidate and another")
	}
	w, err := learn.LogisticPairwise(x, weight, l2)
	if err != nil {
		return nil, err
	}
	return append(w, make([]float64, bot.NumRerankFeatures-nf)...), nil
}

// setting is a learned model's penalty and feedback.
type setting struct {
	l2  float64
	prf bot.PRF
}

// chooseSetting picks the penalty and feedback whose models, trained
// without one more fold of those not held out and scored on it, do best:
// each set's objective averaged over its questions, then over sets.
func chooseSetting(sets []*cvSet, k, heldOut int, v modelVariant) (setting, error) {
	var best setting
	bestScore := -1.0
	for _, p := range v.prfs {
		for _, l2 := range rerankL2s {
			score := 0.0
			for _, s := range sets {
				if !v.readsSet(s) {
					continue // a set without subtask B's own pairs
				}
				sum, n := 0.0, 0
				for g := range k {
					if g == heldOut {
						continue
					}
					w, err := fitRerank(sets, heldOut, g, l2, v, p)
					if err != nil {
						return setting{}, err
					}
					c := cvConfig{w: bot.RerankWeights{Learned: 1, Model: w, PRF: p}, pool: cvDepth, direct: v.small && !v.engine, engine: v.engine}
					objective := s.objective
					if v.small {
						objective = func(s cvScore) float64 { return s.subtask }
					}
					for _, q := range s.queries {
						if q.fold == g && v.reads(q) {
							sum += objective(scoreRanking(q, rankingOf(q, s.memo.signals(q, s.queries, heldOut, c), c), 0))
							n++
						}
					}
				}
				score += sum / float64(max(n, 1))
			}
			if score > bestScore+1e-9 {
				best, bestScore = setting{l2, p}, score
			}
		}
	}
	return best, nil
}

// rerankModels holds a variant's model trained without each fold, and on
// all, with the settings chosen for each.
type rerankModels struct {
	variant modelVariant
	fold    [][]float64
	all     []float64
	foldSet []setting
	allSet  setting
}

// forFold is the configuration of the model that never saw fold f (f < 0:
// the one trained on all).
func (m *rerankModels) forFold(f int) cvConfig {
	w, s := m.all, m.allSet
	if f >= 0 {
		w, s = m.fold[f], m.foldSet[f]
	}
	v := m.variant
	return cvConfig{w: bot.RerankWeights{Learned: 1, Model: w, PRF: s.prf}, pool: cvDepth, direct: v.small && !v.engine, engine: v.engine}
}

func (m *rerankModels) String() string {
	var b strings.Builder
	for f, s := range m.foldSet {
		fmt.Fprintf(&b, " fold %d: L2 %g, PRF %d×%g;", f+1, s.l2, s.prf.Docs, s.prf.Weight)
	}
	fmt.Fprintf(&b, " all: L2 %g, PRF %d×%g", m.allSet.l2, m.allSet.prf.Docs, m.allSet.prf.Weight)
	return b.String()
}

func trainRerank(sets []*cvSet, k int, v modelVariant) (*rerankModels, error) {
	m := &rerankModels{variant: v}
	for f := range k {
		st, err := chooseSetting(sets, k, f, v)
		if err != nil {
			return nil, err
		}
		w, err := fitRerank(sets, f, -1, st.l2, v, st.prf)
		if err != nil {
			return nil, err
		}
		m.fold, m.foldSet = append(m.fold, w), append(m.foldSet, st)
	}
	var err error
	if m.allSet, err = chooseSetting(sets, k, -1, v); err != nil {
		return nil, err
	}
	m.all, err = fitRerank(sets, -1, -1, m.allSet.l2, v, m.allSet.prf)
	return m, err
}

// learnedGrid is the learned model alone, trained without fold f.
func learnedGrid(models *rerankModels) func(f int) []cvConfig {
	return func(f int) []cvConfig {
		return []cvConfig{models.forFold(f)}
	}
}

// writeRerankWeights writes the model trained on all questions as Go.
func writeRerankWeights(path, command string, m *rerankModels, k int, sets []*cvSet) error {
	var b bytes.Buffer
	w, st := m.all, m.allSet
	fmt.Fprintf(&b, "// Code generated by %q; DO NOT EDIT.\n\npackage bot\n\n", command)
	var names []string
	for _, s := range sets {
		names = append(names, fmt.Sprintf("%s (%d questions)", s.name, len(s.queries)))
	}
	fmt.Fprintf(&b, "// rerankWeights are the learned re-ranker's weights, intercept first, then\n// one per RerankFeatureNames: pairwise logistic regression, L2 penalty %g\n// (chosen by %d-fold cross-validation), trained on %s.\n", st.l2, k, strings.Join(names, " and "))
	fmt.Fprintf(&b, "func rerankWeights() []float64 {\n\treturn []float64{\n\t\t%f, // intercept\n", w[0])
	for k, name := range bot.RerankFeatureNames {
		fmt.Fprintf(&b, "\t\t%f, // %s\n", w[k+1], name)
	}
	fmt.Fprintf(&b, "\t}\n}\n\n")
	how := "set beforehand, FusionPRF"
	if len(m.variant.prfs) > 1 {
		how = "chosen with its penalty by cross-validation"
	}
	fmt.Fprintf(&b, "// rerankPRF is the pseudo-relevance feedback the model was trained with\n// (%s).\nfunc rerankPRF() PRF { return PRF{Docs: %d, Weight: %g} }\n", how, st.prf.Docs, st.prf.Weight)
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}
