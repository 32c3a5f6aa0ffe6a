package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/learn"
	"github.com/repertoire/repertoire/repertoire"
)

// Cross-validation of the re-ranker's weights and of the word associations
// (bot/rerank.go, bot/assoc.go). Questions are split into k folds; for each
// fold, associations are learned from the other folds' pairs only, the
// weights are chosen on the other folds' questions (each scored with
// associations that never saw its own fold), and the fold is then scored
// with what was chosen. The figures printed are the held-out ones,
// fold-averaged, with a 95% bootstrap interval over questions.

// cvQuery is one question asked of the pool, with what scoring needs.
type cvQuery struct {
	text     string
	fold     int
	hits     []repertoire.Hit               // Search's top cvDepth
	second   map[int][]repertoire.Hit       // per expansion size: the second pass's top cvDepth (bot.SecondPass)
	cands    map[[2]int][2][]repertoire.Hit // candidates, per pool and expansion size
	plain    []string                       // plain bm25's top cvDepth
	relevant map[string]bool
	own      []string // SemEval subtask B: its own related threads, the search engine's order
	teaches  [][2]string
}

// cvDepth is how deep the pool is read (MAP@50); cvPools the candidate
// counts the re-ranker may look at again.
const cvDepth = 50

var cvPools = []int{20, cvDepth}

// cvExpands are the numbers of feedback words a second pass may add
// (bot.SearchExpanded; 0: one pass).
var cvExpands = []int{0, 10, 20}

// candidates are the hits the re-ranker orders under a pool and an
// expansion size, as bot.SearchExpanded gives them with that limit (the
// first pass's top pool, then what only the second pass's top pool holds),
// and the rest of Search's hits, which follow in its order.
func (q *cvQuery) candidates(pool, expand int) (head, rest []repertoire.Hit) {
	key := [2]int{pool, expand}
	if c, ok := q.cands[key]; ok {
		return c[0], c[1]
	}
	defer func() {
		if q.cands == nil {
			q.cands = map[[2]int][2][]repertoire.Hit{}
		}
		q.cands[key] = [2][]repertoire.Hit{head, rest}
	}()
	n := min(pool, len(q.hits))
	second := q.second[expand]
	head = bot.AppendPasses(q.hits[:n], second[:min(pool, len(second))])
	in := map[int64]bool{}
	for _, h := range head {
		in[h.ID] = true
	}
	for _, h := range q.hits[n:] {
		if !in[h.ID] {
			rest = append(rest, h)
		}
	}
	return head, rest
}

// cvConfig is one point of the grid.
type cvConfig struct {
	w      bot.RerankWeights
	pool   int
	expand int     // feedback words of a second pass (0: none)
	se     float64 // subtask B: weight of the search engine's order beside ours
}

func (c cvConfig) String() string {
	s := fmt.Sprintf("search %g, question %g, whole %g, feedback %g, assoc %g, min words %d, pool %d, expand %d",
		c.w.Search, c.w.Question, c.w.Whole, c.w.Feedback, c.w.Assoc, c.w.MinWords, c.pool, c.expand)
	if c.se > 0 {
		s += fmt.Sprintf(", search engine %g", c.se)
	}
	return s
}

// cvGrid is every configuration with a second pass of one of the expansion
// sizes given.
func cvGrid(expands ...int) []cvConfig {
	var out []cvConfig
	for _, ex := range expands {
		for _, pool := range cvPools {
			for _, s := range []float64{1, 2} {
				for _, q := range []float64{0, 1} {
					for _, wh := range []float64{0, 1} {
						for _, fb := range []float64{0, 1} {
							for _, as := range []float64{0, 0.5, 1, 2} {
								for _, mw := range []int{0, 8} {
									out = append(out, cvConfig{bot.RerankWeights{Search: s, Question: q, Whole: wh, Feedback: fb, Assoc: as, MinWords: mw}, pool, ex, 0})
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}

// cvScore is one question's figures under one ranking.
type cvScore struct{ ap, r3, r3min, subtask, top3, top1 float64 }

// scoreRanking scores a ranking of source IDs for q.
func scoreRanking(q *cvQuery, got []string, se float64) cvScore {
	var s cvScore
	if len(q.relevant) > 0 {
		var hits float64
		for k, id := range got {
			if q.relevant[id] {
				hits++
				s.ap += hits / float64(k+1)
				if k < 3 {
					s.r3++
				}
				if k < 3 {
					s.top3 = 1
				}
				if k == 0 {
					s.top1 = 1
				}
			}
		}
		s.ap /= float64(len(q.relevant))
		s.r3min = s.r3 / float64(min(3, len(q.relevant)))
		s.r3 /= float64(len(q.relevant))
	}
	if q.own != nil {
		s.subtask = averagePrecision(fuseWithEngine(q.own, rerank(q.own, got), se), q.relevant, 10)
	}
	return s
}

// fuseWithEngine combines the search engine's order of a question's own
// related threads with ours by reciprocal rank, the engine's weighted se
// (0: ours alone).
func fuseWithEngine(engine, ours []string, se float64) []string {
	if se == 0 {
		return ours
	}
	score := map[string]float64{}
	for r, id := range engine {
		score[id] += se / float64(60+r+1)
	}
	for r, id := range ours {
		score[id] += 1 / float64(60+r+1)
	}
	out := slices.Clone(engine)
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case score[a] > score[b]:
			return -1
		case score[a] < score[b]:
			return 1
		}
		return 0
	})
	return out
}

// signalsFor computes a question's re-ranking signals for each pool size
// with associations learned from the pairs of every fold not in skip.
func (s *signalMemo) signalsFor(q *cvQuery, queries []*cvQuery, a, b int) map[[2]int]bot.RerankSignals {
	key := [2]int{min(a, b), max(a, b)}
	counts := s.counts[key]
	if counts == nil {
		counts = repertoire.NewAssocCounts()
		for _, o := range queries {
			if o.fold == a || o.fold == b {
				continue
			}
			for _, p := range o.teaches {
				qk, ak := bot.LearnKeys(p[0], p[1])
				counts.Add(qk, ak)
			}
		}
		s.counts[key] = counts
	}
	assoc := bot.NewAssoc(counts.For(bot.AssocKeys(q.text, 32), bot.AssocPerKey))
	out := map[[2]int]bot.RerankSignals{}
	for _, ex := range cvExpands {
		for _, pool := range cvPools {
			head, _ := q.candidates(pool, ex)
			out[[2]int{pool, ex}] = bot.Signals(q.text, head, assoc)
		}
	}
	return out
}

// rankingOf applies a configuration to a question's signals: the re-ranked
// pool, then the rest of Search's hits in their order.
func rankingOf(q *cvQuery, sig map[[2]int]bot.RerankSignals, c cvConfig) []string {
	head, rest := q.candidates(c.pool, c.expand)
	n := len(head)
	order := sig[[2]int{c.pool, c.expand}].Order(c.w)
	if order == nil {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	out := make([]string, 0, n+len(rest))
	for _, i := range order {
		out = append(out, head[i].SourceID)
	}
	for _, h := range rest {
		out = append(out, h.SourceID)
	}
	return out[:min(len(out), cvDepth)] // MAP@50: a longer list must not score more
}

// crossValidate chooses, per fold, the configuration whose mean objective
// over the other folds' questions is highest, and returns each question's
// held-out scores and the configuration chosen per fold.
func crossValidate(queries []*cvQuery, k int, grid []cvConfig, objective func(cvScore) float64, memo *signalMemo, joint *jointChoice) ([]cvScore, []cvConfig) {
	return crossValidateEach(queries, k, func(int) []cvConfig { return grid }, objective, memo, joint)
}

// crossValidateEach is crossValidate with a grid per held-out fold.
func crossValidateEach(queries []*cvQuery, k int, gridFor func(fold int) []cvConfig, objective func(cvScore) float64, memo *signalMemo, joint *jointChoice) ([]cvScore, []cvConfig) {
	if grid := gridFor(-1); joint != nil {
		// The weights recall ships with are chosen on every question of
		// every set read (each with associations that never saw its fold).
		sum := make([]float64, len(grid))
		for _, q := range queries {
			sig := memo.get(q, queries, -1)
			for ci, c := range grid {
				sum[ci] += objective(scoreRanking(q, rankingOf(q, sig, c), c.se))
			}
		}
		joint.add(grid, sum, len(queries))
	}
	held := make([]cvScore, len(queries))
	chosen := make([]cvConfig, k)
	for f := range k {
		grid := gridFor(f)
		sum := make([]float64, len(grid))
		for _, q := range queries {
			if q.fold == f {
				continue
			}
			sig := memo.get(q, queries, f)
			for ci, c := range grid {
				sum[ci] += objective(scoreRanking(q, rankingOf(q, sig, c), c.se))
			}
		}
		best := 0
		for ci := range grid {
			if sum[ci] > sum[best]+1e-9 {
				best = ci
			}
		}
		chosen[f] = grid[best]
		for i, q := range queries {
			if q.fold == f {
				held[i] = scoreRanking(q, rankingOf(q, memo.get(q, queries, f), grid[best]), grid[best].se)
			}
		}
	}
	return held, chosen
}

// signalMemo caches signals per question and held-out fold: a training
// question's associations leave out its own fold and the held-out one.
type signalMemo struct {
	m      map[*cvQuery]map[int]map[[2]int]bot.RerankSignals
	counts map[[2]int]*repertoire.AssocCounts
}

func (s *signalMemo) get(q *cvQuery, queries []*cvQuery, heldOut int) map[[2]int]bot.RerankSignals {
	if s.m == nil {
		s.m = map[*cvQuery]map[int]map[[2]int]bot.RerankSignals{}
		s.counts = map[[2]int]*repertoire.AssocCounts{}
	}
	if s.m[q] == nil {
		s.m[q] = map[int]map[[2]int]bot.RerankSignals{}
	}
	if sig, ok := s.m[q][heldOut]; ok {
		return sig
	}
	sig := s.signalsFor(q, queries, q.fold, heldOut)
	s.m[q][heldOut] = sig
	return sig
}

// foldMean averages a figure per fold, then over folds.
func foldMean(queries []*cvQuery, k int, s []cvScore, keep func(*cvQuery) bool, get func(cvScore) float64) float64 {
	total, folds := 0.0, 0
	for f := range k {
		sum, n := 0.0, 0
		for i, q := range queries {
			if q.fold == f && keep(q) {
				sum += get(s[i])
				n++
			}
		}
		if n > 0 {
			total += sum / float64(n)
			folds++
		}
	}
	return total / float64(max(folds, 1))
}

// cvInterval is the 95% bootstrap interval over questions of a figure (the
// questions keep filters those counted).
func cvInterval(queries []*cvQuery, s []cvScore, seed uint64, keep func(*cvQuery) bool, get func(cvScore) float64) learn.Interval {
	return learn.Bootstrap(len(queries), 2000, seed, func(idx []int) float64 {
		sum, n := 0.0, 0
		for _, i := range idx {
			if keep(queries[i]) {
				sum += get(s[i])
				n++
			}
		}
		return sum / float64(max(n, 1))
	})
}

// pairedInterval is the 95% bootstrap interval of a - b over questions.
func pairedInterval(queries []*cvQuery, a, b []cvScore, seed uint64, keep func(*cvQuery) bool, get func(cvScore) float64) learn.Interval {
	return learn.Bootstrap(len(queries), 2000, seed, func(idx []int) float64 {
		sum, n := 0.0, 0
		for _, i := range idx {
			if keep(queries[i]) {
				sum += get(a[i]) - get(b[i])
				n++
			}
		}
		return sum / float64(max(n, 1))
	})
}

// fixedScores scores every question with one fixed ranking source.
func fixedScores(queries []*cvQuery, rank func(*cvQuery) []string, se float64) []cvScore {
	out := make([]cvScore, len(queries))
	for i, q := range queries {
		out[i] = scoreRanking(q, rank(q), se)
	}
	return out
}

func searchOrder(q *cvQuery) []string {
	out := make([]string, len(q.hits))
	for i, h := range q.hits {
		out[i] = h.SourceID
	}
	return out
}

func printChosen(w io.Writer, chosen []cvConfig) {
	for f, c := range chosen {
		fmt.Fprintf(w, "  fold %d chose: %s\n", f+1, c)
	}
}

// searchDeep asks Search for a question's top cvDepth hits (one pass, and
// two passes for each expansion size) and plain bm25 for its top cvDepth
// source IDs.
func searchDeep(ctx context.Context, store repertoire.Store, plain ranker, q *cvQuery) error {
	p := repertoire.SearchParams{Text: q.text, From: evalChannel, Limit: cvDepth}
	var err error
	if q.hits, err = store.Search(ctx, p); err != nil {
		return err
	}
	q.second = map[int][]repertoire.Hit{}
	for _, ex := range cvExpands {
		if q.second[ex], err = bot.SecondPass(ctx, store, p, q.hits, ex); err != nil {
			return err
		}
	}
	q.plain, err = plain(ctx, q.text, cvDepth)
	return err
}

func all(*cvQuery) bool { return true }

func withRelevant(q *cvQuery) bool { return len(q.relevant) > 0 }

// jointChoice adds up, per configuration, each set's mean objective over
// all its questions.
type jointChoice struct {
	grid []cvConfig
	sum  []float64
	sets int
}

func (j *jointChoice) add(grid []cvConfig, sum []float64, n int) {
	if j.sum == nil {
		j.grid, j.sum = grid, make([]float64, len(grid))
	}
	for i := range grid {
		j.sum[i] += sum[i] / float64(n)
	}
	j.sets++
}

func (j *jointChoice) print(w io.Writer) {
	if j == nil || j.sets == 0 {
		return
	}
	best := 0
	for i := range j.sum {
		if j.sum[i] > j.sum[best]+1e-9 {
			best = i
		}
	}
	fmt.Fprintf(w, "\nweights chosen on all questions of the %d sets read, one pass (mean objective %.4f; bot.FusionRerank should hold them, and the learned model that ships reads these orders; bot.ExpandWords stays 0 unless a second pass beats one pass held out on every set, the \"one pass\" paired lines): %s\n",
		j.sets, j.sum[best]/float64(j.sets), j.grid[best])
}

// semevalCV prints the cross-validated figures for SemEval: the weights
// chosen for pool MAP, and separately (with the search engine's order as one
// more signal) for subtask B MAP; the learned re-ranker (models, nil for
// none) beside them.
func semevalCV(w io.Writer, set *cvSet, k int, joint *jointChoice, models *rerankModels) error {
	queries, memo := set.queries, set.memo
	ap := func(s cvScore) float64 { return s.ap }
	st := func(s cvScore) float64 { return s.subtask }
	pool, chosenPool := crossValidate(queries, k, cvGrid(cvExpands...), ap, memo, nil)
	// Subtask B: the re-ranker as chosen for pool MAP in the same fold; only
	// the weight of the search engine's order beside it is chosen here.
	subtaskGrid := func(chosen func(int) cvConfig) func(int) []cvConfig {
		return func(f int) []cvConfig {
			var grid []cvConfig
			for _, se := range []float64{0, 0.5, 1, 2, 4} {
				c := chosen(f)
				c.se = se
				grid = append(grid, c)
			}
			return grid
		}
	}
	perFold := func(chosen []cvConfig) func(int) cvConfig {
		return func(f int) cvConfig { return chosen[max(f, 0)] }
	}
	sub, chosenSub := crossValidateEach(queries, k, subtaskGrid(perFold(chosenPool)), st, memo, nil)
	// The same with one pass only (no expansion), side by side.
	pool1, chosenPool1 := crossValidate(queries, k, cvGrid(0), ap, memo, joint)
	sub1, _ := crossValidateEach(queries, k, subtaskGrid(perFold(chosenPool1)), st, memo, nil)
	var learned, learnedSub, fused, fusedSub []cvScore
	var chosenLearnedSub, chosenFusedSub []cvConfig
	if models != nil {
		learned, _ = crossValidateEach(queries, k, learnedGrid(models), ap, memo, nil)
		learnedSub, chosenLearnedSub = crossValidateEach(queries, k, subtaskGrid(func(f int) cvConfig { return learnedGrid(models)(f)[0] }), st, memo, nil)
		fused, _ = crossValidateEach(queries, k, withLearned(chosenPool1, models), ap, memo, nil)
		fusedSub, chosenFusedSub = crossValidateEach(queries, k, subtaskGrid(func(f int) cvConfig { return withLearned(chosenPool1, models)(f)[0] }), st, memo, nil)
	}
	search := fixedScores(queries, searchOrder, 0)
	plain := fixedScores(queries, func(q *cvQuery) []string { return q.plain }, 0)
	engine := fixedScores(queries, func(*cvQuery) []string { return nil }, 0)
	fmt.Fprintf(w, "\n== SemEval, %d-fold cross-validation (folds of original questions; associations learned from the other folds' threads only; weights chosen and models trained on the other folds): held-out figures, fold-averaged, 95%% bootstrap intervals over questions\n", k)
	fmt.Fprintf(w, "%-24s %-34s %-34s %-34s %-34s\n", "", "pool MAP@50", "pool R@3 (÷relevant)", "pool R@3 (÷min(3,rel))", "subtask B MAP (own 10)")
	measures := []measure{
		{"pool MAP@50", withRelevant, func(s cvScore) float64 { return s.ap }},
		{"pool R@3 (÷relevant)", withRelevant, func(s cvScore) float64 { return s.r3 }},
		{"pool R@3 (÷min(3,rel))", withRelevant, func(s cvScore) float64 { return s.r3min }},
	}
	subtaskB := measure{"subtask B MAP", all, st}
	row := func(name string, ss []cvScore, subtask []cvScore, seed uint64) {
		if ss == nil && subtask == nil {
			return
		}
		cell := func(ss []cvScore, m measure) string {
			if ss == nil {
				return "-"
			}
			return fmt.Sprintf("%.4f %s", foldMean(queries, k, ss, m.keep, m.get), cvInterval(queries, ss, seed, m.keep, m.get).Dec())
		}
		fmt.Fprintf(w, "%-24s %-34s %-34s %-34s %-34s\n", name,
			cell(ss, measures[0]), cell(ss, measures[1]), cell(ss, measures[2]), cell(subtask, subtaskB))
	}
	row("recall+learned (CV)", pool, sub, 40)
	row("recall+learned, one pass", pool1, sub1, 47)
	row("learned model (CV)", learned, learnedSub, 70)
	row("fusion+learned (CV)", fused, fusedSub, 71)
	row("recall (Search alone)", search, search, 41)
	row("plain bm25", plain, plain, 42)
	row("search engine", nil, engine, 43)
	fmt.Fprintf(w, "paired differences, project - baseline (95%% bootstrap over questions, same resamples for both; this, not the overlap of the intervals above, is the test):\n")
	paired := func(name string, a []cvScore, baseName string, b []cvScore, ms []measure, seed uint64) {
		if a == nil {
			return
		}
		for i, m := range ms {
			fmt.Fprintf(w, "  %-24s %-26s - %-14s %s\n", m.name, name, baseName, pairedInterval(queries, a, b, seed+uint64(i), m.keep, m.get).Dec())
		}
	}
	paired("recall+learned, one pass", pool1, "plain bm25", plain, measures, 100)
	paired("recall+learned, one pass", sub1, "search engine", engine, []measure{subtaskB}, 110)
	paired("learned model", learned, "plain bm25", plain, measures, 120)
	paired("learned model", learnedSub, "search engine", engine, []measure{subtaskB}, 130)
	paired("learned model", learned, "one pass", pool1, measures, 140)
	paired("learned model", learnedSub, "one pass", sub1, []measure{subtaskB}, 150)
	paired("fusion+learned", fused, "plain bm25", plain, measures, 180)
	paired("fusion+learned", fusedSub, "search engine", engine, []measure{subtaskB}, 190)
	paired("fusion+learned", fused, "one pass", pool1, measures, 300)
	paired("fusion+learned", fusedSub, "one pass", sub1, []measure{subtaskB}, 310)
	paired("recall+learned (CV)", pool, "one pass", pool1, measures[:1], 160)
	paired("recall+learned (CV)", sub, "one pass", sub1, []measure{subtaskB}, 170)
	fmt.Fprintf(w, "chosen for pool MAP:\n")
	printChosen(w, chosenPool)
	fmt.Fprintf(w, "chosen for subtask B:\n")
	printChosen(w, chosenSub)
	if chosenLearnedSub != nil {
		fmt.Fprintf(w, "chosen for subtask B, learned model:\n")
		printChosen(w, chosenLearnedSub)
		fmt.Fprintf(w, "chosen for subtask B, fusion+learned:\n")
		printChosen(w, chosenFusedSub)
	}
	return nil
}

// measure is one figure read from per-question scores.
type measure struct {
	name string
	keep func(*cvQuery) bool
	get  func(cvScore) float64
}

// livechatObjective is what LiveChat's choices maximise: top-3, ties
// broken by average precision.
func livechatObjective(s cvScore) float64 { return s.top3 + 0.001*s.ap }

// livechatCV prints the cross-validated known-item figures for LiveChat.
func livechatCV(w io.Writer, set *cvSet, k int, joint *jointChoice, models *rerankModels) error {
	if k < 2 {
		return nil
	}
	queries, memo := set.queries, set.memo
	objective := livechatObjective
	held, chosen := crossValidate(queries, k, cvGrid(cvExpands...), objective, memo, nil)
	held1, chosen1 := crossValidate(queries, k, cvGrid(0), objective, memo, joint)
	var learned, fused []cvScore
	if models != nil {
		learned, _ = crossValidateEach(queries, k, learnedGrid(models), objective, memo, nil)
		fused, _ = crossValidateEach(queries, k, withLearned(chosen1, models), objective, memo, nil)
	}
	search := fixedScores(queries, searchOrder, 0)
	plain := fixedScores(queries, func(q *cvQuery) []string { return q.plain }, 0)
	fmt.Fprintf(w, "\n== LiveChat known-item, %d-fold cross-validation (folds of dialogs; associations learned from the other folds' dialogs only; weights chosen and models trained on the other folds): held-out figures, fold-averaged, 95%% bootstrap intervals over dialogs\n", k)
	fmt.Fprintf(w, "%-24s %-34s %-34s\n", "", "top-3", "top-1")
	measures := []measure{
		{"top-3", all, func(s cvScore) float64 { return s.top3 }},
		{"top-1", all, func(s cvScore) float64 { return s.top1 }},
	}
	for i, r := range []struct {
		name string
		ss   []cvScore
	}{{"recall+learned (CV)", held}, {"recall+learned, one pass", held1}, {"learned model (CV)", learned}, {"fusion+learned (CV)", fused}, {"recall (Search alone)", search}, {"plain bm25", plain}} {
		if r.ss == nil {
			continue
		}
		fmt.Fprintf(w, "%-24s", r.name)
		for j, m := range measures {
			fmt.Fprintf(w, " %-34s", fmt.Sprintf("%.4f %s", foldMean(queries, k, r.ss, m.keep, m.get), cvInterval(queries, r.ss, uint64(50+10*j+i), m.keep, m.get).Dec()))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "paired differences, project - baseline (95%% bootstrap over dialogs, same resamples for both; this, not the overlap of the intervals above, is the test):\n")
	paired := func(name string, a []cvScore, baseName string, b []cvScore, seed uint64) {
		if a == nil {
			return
		}
		for i, m := range measures {
			fmt.Fprintf(w, "  %-6s %-26s - %-14s %s\n", m.name, name, baseName, pairedInterval(queries, a, b, seed+uint64(i), m.keep, m.get).Dec())
		}
	}
	paired("recall+learned, one pass", held1, "plain bm25", plain, 200)
	paired("learned model", learned, "plain bm25", plain, 210)
	paired("learned model", learned, "one pass", held1, 220)
	paired("fusion+learned", fused, "plain bm25", plain, 240)
	paired("fusion+learned", fused, "one pass", held1, 250)
	paired("recall+learned (CV)", held, "one pass", held1, 230)
	printChosen(w, chosen)
	return nil
}
