package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
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
}

// rerankL2s are the penalties the learned re-ranker's is chosen among, by
// cross-validation inside the training folds.
var rerankL2s = []float64{0.01, 0.1, 1}

// fitRerank trains the model with penalty l2 on every question of the sets
// in neither fold heldOut nor fold inner (-1: none), each scored with
// associations that never saw its own fold nor heldOut.
func fitRerank(sets []*cvSet, heldOut, inner int, l2 float64) ([]float64, error) {
	var x [][]float64
	var y []bool
	var weight []float64
	total := 0
	for _, s := range sets {
		total += len(s.queries)
	}
	for _, s := range sets {
		var use []*cvQuery
		for _, q := range s.queries {
			if q.fold != heldOut && q.fold != inner {
				use = append(use, q)
			}
		}
		scale := float64(total) / float64(len(sets)) / float64(max(len(use), 1))
		for _, q := range use {
			head, _ := q.candidates(cvDepth, 0)
			feats := s.memo.get(q, s.queries, heldOut)[[2]int{cvDepth, 0}].Features()
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
			w := scale / float64(2*len(pos)*len(neg))
			for _, p := range pos {
				for _, n := range neg {
					d := make([]float64, bot.NumRerankFeatures)
					m := make([]float64, bot.NumRerankFeatures)
					for k := range d {
						d[k] = feats[p][k] - feats[n][k]
						m[k] = -d[k]
					}
					x, y, weight = append(x, d, m), append(y, true, false), append(weight, w, w)
				}
			}
		}
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("train re-ranker: no question has both a relevant candidate and another")
	}
	return learn.LogisticWeighted(x, y, nil, weight, l2)
}

// chooseL2 picks the penalty whose models, trained without one more fold
// of those not held out and scored on it, do best: each set's objective
// averaged over its questions, then over sets.
func chooseL2(sets []*cvSet, k, heldOut int) (float64, error) {
	best, bestScore := rerankL2s[0], -1.0
	for _, l2 := range rerankL2s {
		score := 0.0
		for _, s := range sets {
			sum, n := 0.0, 0
			for g := range k {
				if g == heldOut {
					continue
				}
				w, err := fitRerank(sets, heldOut, g, l2)
				if err != nil {
					return 0, err
				}
				c := cvConfig{w: bot.RerankWeights{Learned: 1, Model: w}, pool: cvDepth}
				for _, q := range s.queries {
					if q.fold == g {
						sum += s.objective(scoreRanking(q, rankingOf(q, s.memo.get(q, s.queries, heldOut), c), 0))
						n++
					}
				}
			}
			score += sum / float64(max(n, 1))
		}
		if score > bestScore+1e-9 {
			best, bestScore = l2, score
		}
	}
	return best, nil
}

// rerankModels holds the model trained without each fold, and on all.
type rerankModels struct {
	fold   []([]float64)
	all    []float64
	foldL2 []float64
	allL2  float64
}

// forFold is the model that never saw fold f (f < 0: the one trained on all).
func (m *rerankModels) forFold(f int) []float64 {
	if m == nil {
		return nil
	}
	if f < 0 {
		return m.all
	}
	return m.fold[f]
}

func trainRerank(sets []*cvSet, k int) (*rerankModels, error) {
	m := &rerankModels{}
	for f := range k {
		l2, err := chooseL2(sets, k, f)
		if err != nil {
			return nil, err
		}
		w, err := fitRerank(sets, f, -1, l2)
		if err != nil {
			return nil, err
		}
		m.fold, m.foldL2 = append(m.fold, w), append(m.foldL2, l2)
	}
	var err error
	if m.allL2, err = chooseL2(sets, k, -1); err != nil {
		return nil, err
	}
	m.all, err = fitRerank(sets, -1, -1, m.allL2)
	return m, err
}

// learnedGrid is the learned model alone, trained without fold f.
func learnedGrid(models *rerankModels) func(f int) []cvConfig {
	return func(f int) []cvConfig {
		return []cvConfig{{w: bot.RerankWeights{Learned: 1, Model: models.forFold(f)}, pool: cvDepth}}
	}
}

// withLearned is the fusion chosen for each fold with the learned model's
// order as one more voice, weight 1 like Search's (set, not chosen).
func withLearned(chosen []cvConfig, models *rerankModels) func(f int) []cvConfig {
	return func(f int) []cvConfig {
		c := chosen[max(f, 0)]
		c.w.Learned, c.w.Model = 1, models.forFold(f)
		return []cvConfig{c}
	}
}

// writeRerankWeights writes the model trained on all questions as Go.
func writeRerankWeights(path, command string, w []float64, l2 float64, k int, sets []*cvSet) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by %q; DO NOT EDIT.\n\npackage bot\n\n", command)
	var names []string
	for _, s := range sets {
		names = append(names, fmt.Sprintf("%s (%d questions)", s.name, len(s.queries)))
	}
	fmt.Fprintf(&b, "// rerankWeights are the learned re-ranker's weights, intercept first, then\n// one per RerankFeatureNames: pairwise logistic regression, L2 penalty %g\n// (chosen by %d-fold cross-validation), trained on %s.\n", l2, k, strings.Join(names, " and "))
	fmt.Fprintf(&b, "func rerankWeights() []float64 {\n\treturn []float64{\n\t\t%f, // intercept\n", w[0])
	for k, name := range bot.RerankFeatureNames {
		fmt.Fprintf(&b, "\t\t%f, // %s\n", w[k+1], name)
	}
	fmt.Fprintf(&b, "\t}\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}
