package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/repertoire/repertoire/bot"
)

// The cross-data-set check: a learned model trained on one data set alone
// (its penalty chosen by k-fold cross-validation inside that set) and
// scored on every question of the other, which it never saw in any form.
// SemEval's threads (a forum question with its comments) and LiveChat's
// dialogs (a chat opening and the replies that followed) differ more than
// two samples of one kind do; a model whose gain survives the trip is more
// likely to carry over to held-out data of either kind than one whose gain
// shows only under cross-validation on the files it was chosen on.

// crossSetVariants are the modelVariants checked across sets: the one
// recall ships and the one that could replace it (v2 without its
// pool-relative features, best on LiveChat under cross-validation).
var crossSetVariants = []string{"learned v2 (CV)", "v2, pool-free (CV)"}

// crossSetScores trains variant v on train alone and scores it on every
// question of test; it returns the scores and the setting chosen.
func crossSetScores(train, test *cvSet, k int, v modelVariant) ([]cvScore, setting, error) {
	c, st, err := crossSetModel(train, k, v)
	if err != nil {
		return nil, st, err
	}
	return crossSetScore(test, c), st, nil
}

// crossSetModel trains variant v on train alone, its penalty chosen by
// k-fold cross-validation inside train.
func crossSetModel(train *cvSet, k int, v modelVariant) (cvConfig, setting, error) {
	st, err := chooseSetting([]*cvSet{train}, k, -1, v)
	if err != nil {
		return cvConfig{}, st, err
	}
	w, err := fitRerank([]*cvSet{train}, -1, -1, st.l2, v, st.prf)
	if err != nil {
		return cvConfig{}, st, err
	}
	return cvConfig{w: bot.RerankWeights{Learned: 1, Model: w, PRF: st.prf}, pool: cvDepth}, st, nil
}

// crossSetScore scores configuration c on every question of test.
func crossSetScore(test *cvSet, c cvConfig) []cvScore {
	out := make([]cvScore, len(test.queries))
	for i, q := range test.queries {
		// The test set's associations are its own community's, learned
		// from its other folds, as recall learns them at run time.
		out[i] = scoreRanking(q, rankingOf(q, test.memo.signals(q, test.queries, -1, c), c), 0)
	}
	return out
}

// scoredRow is one ranking's scores on a set's questions.
type scoredRow struct {
	name   string
	scores []cvScore
	pool   bool // it ranks the whole pool (the search engine orders only a question's own ten)
}

// crossSetCheck prints, for each of crossSetVariants, its figures on each
// set when trained on the other alone, beside the baselines of the same
// run, with paired intervals.
func crossSetCheck(w io.Writer, sem, lc *cvSet, k int) error {
	if sem == nil || lc == nil || k < 2 {
		return nil
	}
	var variants []modelVariant
	for _, name := range crossSetVariants {
		if i := slices.IndexFunc(modelVariants, func(v modelVariant) bool { return v.name == name }); i >= 0 {
			variants = append(variants, modelVariants[i])
		}
	}
	fmt.Fprintf(w, "\n== cross-data-set check: each model trained on one set alone (penalty chosen by %d-fold CV inside it), scored on every question of the other; mean over questions with its 95%% bootstrap interval\n", k)
	for _, dir := range []struct{ train, test *cvSet }{{sem, lc}, {lc, sem}} {
		test := dir.test
		plain := scoredRow{"plain bm25", fixedScores(test.queries, func(q *cvQuery) []string { return q.plain }, 0), true}
		ms := []measure{
			{"top-3", all, func(s cvScore) float64 { return s.top3 }},
			{"top-1", all, func(s cvScore) float64 { return s.top1 }},
		}
		base := []scoredRow{plain}
		if test == sem {
			ms = []measure{
				{"pool MAP@50", withRelevant, func(s cvScore) float64 { return s.ap }},
				{"pool R@3 (÷min(3,rel))", withRelevant, func(s cvScore) float64 { return s.r3min }},
				{"subtask B MAP", all, func(s cvScore) float64 { return s.subtask }},
			}
			base = append(base, scoredRow{"search engine", fixedScores(test.queries, func(*cvQuery) []string { return nil }, 0), false})
		}
		// reads says whether a measure applies to a row: the engine has
		// no pool figures.
		reads := func(r scoredRow, m measure) bool { return r.pool || m.name == "subtask B MAP" }
		fmt.Fprintf(w, "trained on %s (%d questions), scored on %s (%d questions):\n", dir.train.name, len(dir.train.queries), test.name, len(test.queries))
		if test == sem {
			fmt.Fprintf(w, "  (subtask B: a model's row is the bot's own ranking; its \"engine first\" row and the search engine's USE the engine's order)\n")
		}
		fmt.Fprintf(w, "  %-24s", "")
		for _, m := range ms {
			fmt.Fprintf(w, " %-26s", m.name)
		}
		fmt.Fprintln(w)
		show := func(r scoredRow, seed uint64) {
			fmt.Fprintf(w, "  %-24s", r.name)
			for j, m := range ms {
				cell := "-"
				if reads(r, m) {
					cell = cvInterval(test.queries, r.scores, seed+uint64(j), m.keep, m.get).Dec()
				}
				fmt.Fprintf(w, " %-26s", cell)
			}
			fmt.Fprintln(w)
		}
		var rows []scoredRow
		var firstStage *scoredRow
		for i, v := range variants {
			c, st, err := crossSetModel(dir.train, k, v)
			if err != nil {
				fmt.Fprintf(w, "  %s: not trained: %v\n", v.name, err)
				continue
			}
			name := fmt.Sprintf("%s, L2 %g", strings.TrimSuffix(v.name, " (CV)"), st.l2)
			r := scoredRow{name, crossSetScore(test, c), true}
			rows = append(rows, r)
			show(r, 300+10*uint64(i))
			if i == 0 && slices.ContainsFunc(test.queries, func(q *cvQuery) bool { return q.engineHits != nil }) {
				// The same model with the engine's order as its first
				// stage (subtask B only; it uses the engine's order).
				c.engine = true
				firstStage = &scoredRow{name + ", engine first", crossSetScore(test, c), false}
			}
		}
		if firstStage != nil {
			rows = append(rows, *firstStage)
			show(*firstStage, 350)
		}
		for i, b := range base {
			show(b, 400+10*uint64(i))
		}
		fmt.Fprintf(w, "  paired differences, row - baseline (95%% bootstrap over questions, same resamples for both):\n")
		seed := uint64(500)
		for i, r := range rows {
			against := base
			if i > 0 {
				against = append(slices.Clone(base), rows[0])
			}
			for _, b := range against {
				for _, m := range ms {
					if !reads(b, m) || !reads(r, m) {
						continue
					}
					seed++
					fmt.Fprintf(w, "    %-22s %-26s - %-22s %s\n", m.name, r.name, b.name, pairedInterval(test.queries, r.scores, b.scores, seed, m.keep, m.get).Dec())
				}
			}
		}
	}
	return nil
}
