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
	own      []string         // SemEval subtask B: its own related threads, the search engine's order
	ownHits  []repertoire.Hit // SemEval subtask B: Search's order of its own related threads alone (ownStore)
	// engineHits (SemEval subtask B) are its own related threads in the
	// search engine's order, every one of them, each with Search's score
	// and coverage from ownHits (0 where Search did not return it): the
	// pool the re-ranker orders when the engine is its first stage.
	engineHits []repertoire.Hit
	teaches    [][2]string
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
	// direct: subtask B re-ranks the question's own related threads as a
	// pool of their own (ownHits), not by their places in the whole pool's
	// top cvDepth; only the subtask B figure reads such a configuration.
	direct bool
	// engine: subtask B re-ranks the question's own related threads with
	// the search engine's order as the first stage (engineHits): Search's
	// rank features are filled from the engine's rank. Only the subtask B
	// figure reads such a configuration.
	engine bool
}

func (c cvConfig) String() string {
	s := fmt.Sprintf("search %g, question %g, whole %g, feedback %g, assoc %g, min words %d, pool %d, expand %d",
		c.w.Search, c.w.Question, c.w.Whole, c.w.Feedback, c.w.Assoc, c.w.MinWords, c.pool, c.expand)
	if c.se > 0 {
		s += fmt.Sprintf(", search engine %g", c.se)
	}
	if c.direct {
		s += ", own threads directly"
	}
	if c.engine {
		s += ", the engine's order first"
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
									out = append(out, cvConfig{bot.RerankWeights{Search: s, Question: q, Whole: wh, Feedback: fb, Assoc: as, MinWords: mw}, pool, ex, 0, false, false})
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

// assocFor is a question's associations learned from the pairs of every
// fold but a and b.
func (s *signalMemo) assocFor(q *cvQuery, queries []*cvQuery, a, b int) *bot.Assoc {
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
	return bot.NewAssoc(counts.For(bot.AssocKeys(q.text, 32), bot.AssocPerKey))
}

// signalsFor computes a question's re-ranking signals for each pool size
// with associations learned from the pairs of every fold not in skip.
func (s *signalMemo) signalsFor(q *cvQuery, queries []*cvQuery, a, b int) map[[2]int]bot.RerankSignals {
	assoc := s.assocFor(q, queries, a, b)
	out := map[[2]int]bot.RerankSignals{}
	for _, ex := range cvExpands {
		for _, pool := range cvPools {
			head, _ := q.candidates(pool, ex)
			out[[2]int{pool, ex}] = bot.Signals(q.text, head, assoc)
		}
	}
	return out
}

// learned is a question's signals for the learned model (Search's top
// cvDepth, one pass) with feedback p, held-out fold heldOut.
func (s *signalMemo) learned(q *cvQuery, queries []*cvQuery, heldOut int, p bot.PRF) bot.RerankSignals {
	if p == bot.FusionPRF || p.Docs <= 0 {
		return s.get(q, queries, heldOut)[[2]int{cvDepth, 0}]
	}
	key := prfKey{q, heldOut, p}
	if sig, ok := s.prf[key]; ok {
		return sig
	}
	if s.prf == nil {
		s.prf = map[prfKey]bot.RerankSignals{}
	}
	s.get(q, queries, heldOut) // makes the association counts
	head, _ := q.candidates(cvDepth, 0)
	sig := bot.SignalsPRF(q.text, head, s.assocFor(q, queries, q.fold, heldOut), p)
	s.prf[key] = sig
	return sig
}

type prfKey struct {
	q       *cvQuery
	heldOut int
	p       bot.PRF
}

// signals are the signals configuration c orders by.
func (s *signalMemo) signals(q *cvQuery, queries []*cvQuery, heldOut int, c cvConfig) bot.RerankSignals {
	if c.engine {
		return s.engineSignals(q, queries, heldOut, c.w.PRF)
	}
	if c.direct {
		return s.ownSignals(q, queries, heldOut, c.w.PRF)
	}
	if c.w.Learned > 0 && c.pool == cvDepth && c.expand == 0 {
		return s.learned(q, queries, heldOut, c.w.PRF)
	}
	return s.get(q, queries, heldOut)[[2]int{c.pool, c.expand}]
}

// ownSignals are the signals of a question's own related threads read as
// the whole candidate pool (subtask B read directly), with associations
// that never saw its fold or the held-out one, and feedback p.
func (s *signalMemo) ownSignals(q *cvQuery, queries []*cvQuery, heldOut int, p bot.PRF) bot.RerankSignals {
	return memoSignals(&s.own, prfKey{q, heldOut, p}, func() bot.RerankSignals {
		s.get(q, queries, heldOut) // makes the association counts
		return bot.SignalsPRF(q.text, q.ownHits, s.assocFor(q, queries, q.fold, heldOut), p)
	})
}

// memoSignals returns m's signals under key, made by build and kept there the
// first time.
func memoSignals(m *map[prfKey]bot.RerankSignals, key prfKey, build func() bot.RerankSignals) bot.RerankSignals {
	if sig, ok := (*m)[key]; ok {
		return sig
	}
	if *m == nil {
		*m = map[prfKey]bot.RerankSignals{}
	}
	sig := build()
	(*m)[key] = sig
	return sig
}

// engineSignals are the signals of a question's own related threads in the
// search engine's order (engineHits), the engine standing where Search
// stands in recall: its rank fills the features of the first stage's rank
// (search_rr, search_logrank, rrf_search, cos_whole_x_search). The engine
// gives no score, so search_score is Search's score of the thread over the
// best of the ten (in recall, over its first, which is the best). Its
// associations never saw its fold or the held-out one; feedback p reads
// the engine's top candidates.
func (s *signalMemo) engineSignals(q *cvQuery, queries []*cvQuery, heldOut int, p bot.PRF) bot.RerankSignals {
	return memoSignals(&s.engine, prfKey{q, heldOut, p}, func() bot.RerankSignals {
		s.get(q, queries, heldOut) // makes the association counts
		sig := bot.SignalsPRF(q.text, q.engineHits, s.assocFor(q, queries, q.fold, heldOut), p)
		best := 0.0
		for _, h := range q.engineHits {
			best = max(best, h.Score)
		}
		for i, f := range sig.Features() {
			f[searchScoreFeature] = 0
			if best > 0 {
				f[searchScoreFeature] = q.engineHits[i].Score / best
			}
		}
		return sig
	})
}

// searchScoreFeature is the index of search_score among the features.
var searchScoreFeature = slices.Index(bot.RerankFeatureNames, "search_score")

// engineFirst lists a question's own related threads (own, the search
// engine's order) as the hits the re-ranker orders: Search's hit of each
// (ownHits) where it has one, else the thread's text with no score (text
// gives it, by source ID).
func engineFirst(own []string, ownHits []repertoire.Hit, text map[string]repertoire.Entry) []repertoire.Hit {
	byID := map[string]repertoire.Hit{}
	for _, h := range ownHits {
		byID[h.SourceID] = h
	}
	out := make([]repertoire.Hit, 0, len(own))
	for _, id := range own {
		h, ok := byID[id]
		if !ok {
			h = repertoire.Hit{Entry: text[id]}
			h.SourceID = id
		}
		out = append(out, h)
	}
	return out
}

// rankingOf applies a configuration to a question's signals: the re-ranked
// pool, then the rest of Search's hits in their order.
func rankingOf(q *cvQuery, sig bot.RerankSignals, c cvConfig) []string {
	head, rest := q.candidates(c.pool, c.expand)
	if c.direct {
		head, rest = q.ownHits, nil
	}
	if c.engine {
		head, rest = q.engineHits, nil
	}
	n := len(head)
	order := sig.Order(c.w)
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
			for ci, c := range grid {
				sum[ci] += objective(scoreRanking(q, rankingOf(q, memo.signals(q, queries, -1, c), c), c.se))
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
			for ci, c := range grid {
				sum[ci] += objective(scoreRanking(q, rankingOf(q, memo.signals(q, queries, f, c), c), c.se))
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
				held[i] = scoreRanking(q, rankingOf(q, memo.signals(q, queries, f, grid[best]), grid[best]), grid[best].se)
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
	prf    map[prfKey]bot.RerankSignals // the learned model's, per feedback setting
	own    map[prfKey]bot.RerankSignals // subtask B read directly (ownSignals)
	engine map[prfKey]bot.RerankSignals // subtask B, the engine's order first (engineSignals)
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
// more signal) for subtask B MAP; the learned re-rankers (models, one per
// modelVariants; nil for none) beside them.
func semevalCV(w io.Writer, set *cvSet, k int, joint *jointChoice, models []*rerankModels) error {
	queries, memo := set.queries, set.memo
	ap := func(s cvScore) float64 { return s.ap }
	st := func(s cvScore) float64 { return s.subtask }
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
	var pool, sub []cvScore
	var chosenPool, chosenSub []cvConfig
	if len(cvExpands) > 1 {
		pool, chosenPool = crossValidate(queries, k, cvGrid(cvExpands...), ap, memo, nil)
		sub, chosenSub = crossValidateEach(queries, k, subtaskGrid(perFold(chosenPool)), st, memo, nil)
	}
	// Fusion, one pass: what shipped before the learned model.
	pool1, chosenPool1 := crossValidate(queries, k, cvGrid(0), ap, memo, joint)
	sub1, chosenSub1 := crossValidateEach(queries, k, subtaskGrid(perFold(chosenPool1)), st, memo, nil)
	learned := make([][]cvScore, len(models))
	learnedSub := make([][]cvScore, len(models))
	chosenLearnedSub := make([][]cvConfig, len(models))
	// The bot's own ranking (what a member gets): no weight on the search
	// engine's order.
	learnedOwn := make([][]cvScore, len(models))
	for i, m := range models {
		if m.variant.engine {
			continue // read in its own section below: it uses the engine's order
		}
		if !m.variant.small {
			learned[i], _ = crossValidateEach(queries, k, learnedGrid(m), ap, memo, nil)
		}
		learnedSub[i], chosenLearnedSub[i] = crossValidateEach(queries, k, subtaskGrid(func(f int) cvConfig { return m.forFold(f) }), st, memo, nil)
		learnedOwn[i], _ = crossValidateEach(queries, k, learnedGrid(m), st, memo, nil)
	}
	sub1Own, _ := crossValidateEach(queries, k, func(f int) []cvConfig { return []cvConfig{perFold(chosenPool1)(f)} }, st, memo, nil)
	// Subtask B read directly: each question's own related threads are the
	// pool the same re-ranker orders (Search's scores of them alone, from
	// ownStore), instead of their places in the whole pool's top cvDepth,
	// where 28 of the 214 relevant ones are missing and fall to the end.
	direct := func(chosen func(int) cvConfig) func(int) cvConfig {
		return func(f int) cvConfig {
			c := chosen(f)
			c.direct = true
			return c
		}
	}
	var sub1Direct []cvScore
	var chosenSub1Direct []cvConfig
	learnedDirect := make([][]cvScore, len(models))
	chosenLearnedDirect := make([][]cvConfig, len(models))
	if slices.ContainsFunc(queries, func(q *cvQuery) bool { return q.ownHits != nil }) {
		sub1Direct, chosenSub1Direct = crossValidateEach(queries, k, subtaskGrid(direct(perFold(chosenPool1))), st, memo, nil)
		for i, m := range models {
			if i == shippedVariant || m.variant.skip == poolRelative {
				learnedDirect[i], chosenLearnedDirect[i] = crossValidateEach(queries, k, subtaskGrid(direct(m.forFold)), st, memo, nil)
			}
		}
	}
	search := fixedScores(queries, searchOrder, 0)
	plain := fixedScores(queries, func(q *cvQuery) []string { return q.plain }, 0)
	engine := fixedScores(queries, func(*cvQuery) []string { return nil }, 0)
	fmt.Fprintf(w, "\n== SemEval, %d-fold cross-validation (folds of original questions; associations learned from the other folds' threads only; weights chosen and models trained on the other folds): held-out figures, fold-averaged, then the mean over questions with its 95%% bootstrap interval\n", k)
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
	row("fusion, 2 passes (CV)", pool, sub, 40)
	row("fusion (CV)", pool1, sub1, 47)
	for i, m := range models {
		if !m.variant.engine {
			row(m.variant.name, learned[i], learnedSub[i], 70+uint64(i))
		}
	}
	row("fusion (CV), own 10", nil, sub1Direct, 48)
	for i, m := range models {
		row(m.variant.name+", own 10", nil, learnedDirect[i], 90+uint64(i))
	}
	fmt.Fprintf(w, "the bot's own ranking, subtask B (no weight on the search engine's order; the rows above choose one by CV):\n")
	row("fusion (CV), own rank", nil, sub1Own, 49)
	for i, m := range models {
		if !m.variant.engine {
			row(m.variant.name+", own rank", nil, learnedOwn[i], 60+uint64(i))
		}
	}
	row("recall (Search alone)", search, search, 41)
	row("plain bm25", plain, plain, 42)
	row("search engine", nil, engine, 43)
	fmt.Fprintf(w, "paired differences, row - baseline (95%% bootstrap over questions, same resamples for both; this, not the overlap of the intervals above, is the test):\n")
	paired := func(name string, a []cvScore, baseName string, b []cvScore, ms []measure, seed uint64) {
		if a == nil {
			return
		}
		for i, m := range ms {
			fmt.Fprintf(w, "  %-24s %-24s - %-24s %s\n", m.name, name, baseName, pairedInterval(queries, a, b, seed+uint64(i), m.keep, m.get).Dec())
		}
	}
	paired("fusion (CV)", pool1, "plain bm25", plain, measures, 100)
	paired("fusion (CV)", sub1, "search engine", engine, []measure{subtaskB}, 110)
	for i, m := range models {
		if m.variant.engine {
			continue
		}
		seed := 120 + 100*uint64(i)
		paired(m.variant.name, learned[i], "plain bm25", plain, measures, seed)
		paired(m.variant.name, learnedSub[i], "search engine", engine, []measure{subtaskB}, seed+10)
		paired(m.variant.name, learned[i], "fusion (CV)", pool1, measures, seed+20)
		paired(m.variant.name, learnedSub[i], "fusion (CV)", sub1, []measure{subtaskB}, seed+30)
		if i > 0 {
			paired(m.variant.name, learned[i], models[0].variant.name, learned[0], measures, seed+40)
			paired(m.variant.name, learnedSub[i], models[0].variant.name, learnedSub[0], []measure{subtaskB}, seed+50)
		}
	}
	paired("fusion (CV), own rank", sub1Own, "search engine", engine, []measure{subtaskB}, 175)
	for i, m := range models {
		if i == shippedVariant || m.variant.small {
			paired(m.variant.name+", own rank", learnedOwn[i], "search engine", engine, []measure{subtaskB}, 176+uint64(i))
		}
		if m.variant.small && shippedVariant < len(models) {
			paired(m.variant.name+", own rank", learnedOwn[i], models[shippedVariant].variant.name+", own rank", learnedOwn[shippedVariant], []measure{subtaskB}, 187)
		}
	}
	if sub1Direct != nil {
		paired("fusion (CV), own 10", sub1Direct, "search engine", engine, []measure{subtaskB}, 180)
		paired("fusion (CV), own 10", sub1Direct, "fusion (CV)", sub1, []measure{subtaskB}, 185)
		for i, m := range models {
			if learnedDirect[i] == nil {
				continue
			}
			seed := 190 + 10*uint64(i)
			paired(m.variant.name+", own 10", learnedDirect[i], "search engine", engine, []measure{subtaskB}, seed)
			paired(m.variant.name+", own 10", learnedDirect[i], m.variant.name, learnedSub[i], []measure{subtaskB}, seed+5)
		}
	}
	engineFirstSection(w, set, k, models, learnedOwn, engine)
	if pool != nil {
		paired("fusion, 2 passes (CV)", pool, "fusion (CV)", pool1, measures[:1], 160)
		paired("fusion, 2 passes (CV)", sub, "fusion (CV)", sub1, []measure{subtaskB}, 170)
		fmt.Fprintf(w, "chosen for pool MAP, fusion, 2 passes:\n")
		printChosen(w, chosenPool)
		fmt.Fprintf(w, "chosen for subtask B, fusion, 2 passes:\n")
		printChosen(w, chosenSub)
	}
	fmt.Fprintf(w, "chosen for pool MAP, fusion:\n")
	printChosen(w, chosenPool1)
	fmt.Fprintf(w, "chosen for subtask B, fusion:\n")
	printChosen(w, chosenSub1)
	for i, m := range models {
		if m.variant.engine {
			continue
		}
		fmt.Fprintf(w, "search engine's weight chosen for subtask B, %s:", m.variant.name)
		for _, c := range chosenLearnedSub[i] {
			fmt.Fprintf(w, " %g", c.se)
		}
		fmt.Fprintln(w)
	}
	if sub1Direct != nil {
		fmt.Fprintf(w, "search engine's weight chosen for subtask B read directly, fusion:")
		for _, c := range chosenSub1Direct {
			fmt.Fprintf(w, " %g", c.se)
		}
		fmt.Fprintln(w)
		for i, m := range models {
			if learnedDirect[i] == nil {
				continue
			}
			fmt.Fprintf(w, "search engine's weight chosen for subtask B read directly, %s:", m.variant.name)
			for _, c := range chosenLearnedDirect[i] {
				fmt.Fprintf(w, " %g", c.se)
			}
			fmt.Fprintln(w)
		}
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
func livechatCV(w io.Writer, set *cvSet, k int, joint *jointChoice, models []*rerankModels) error {
	if k < 2 {
		return nil
	}
	queries, memo := set.queries, set.memo
	objective := livechatObjective
	var held []cvScore
	var chosen []cvConfig
	if len(cvExpands) > 1 {
		held, chosen = crossValidate(queries, k, cvGrid(cvExpands...), objective, memo, nil)
	}
	held1, chosen1 := crossValidate(queries, k, cvGrid(0), objective, memo, joint)
	learned := make([][]cvScore, len(models))
	for i, m := range models {
		if !m.variant.small { // LiveChat's pools are Search's top cvDepth
			learned[i], _ = crossValidateEach(queries, k, learnedGrid(m), objective, memo, nil)
		}
	}
	search := fixedScores(queries, searchOrder, 0)
	plain := fixedScores(queries, func(q *cvQuery) []string { return q.plain }, 0)
	fmt.Fprintf(w, "\n== LiveChat known-item, %d-fold cross-validation (folds of dialogs; associations learned from the other folds' dialogs only; weights chosen and models trained on the other folds): held-out figures, fold-averaged, then the mean over dialogs with its 95%% bootstrap interval\n", k)
	fmt.Fprintf(w, "%-24s %-34s %-34s\n", "", "top-3", "top-1")
	measures := []measure{
		{"top-3", all, func(s cvScore) float64 { return s.top3 }},
		{"top-1", all, func(s cvScore) float64 { return s.top1 }},
	}
	rows := []namedRow{{"fusion, 2 passes (CV)", held}, {"fusion (CV)", held1}}
	for i, m := range models {
		if learned[i] != nil {
			rows = append(rows, namedRow{m.variant.name, learned[i]})
		}
	}
	rows = append(rows, namedRow{"recall (Search alone)", search}, namedRow{"plain bm25", plain})
	for i, r := range rows {
		if r.ss == nil {
			continue
		}
		fmt.Fprintf(w, "%-24s", r.name)
		for j, m := range measures {
			fmt.Fprintf(w, " %-34s", fmt.Sprintf("%.4f %s", foldMean(queries, k, r.ss, m.keep, m.get), cvInterval(queries, r.ss, uint64(50+10*j+i), m.keep, m.get).Dec()))
		}
		fmt.Fprintln(w)
	}
	if set.scoresTo != "" {
		if err := writeDialogScores(set.scoresTo, queries, rows[1:]); err != nil {
			return err
		}
	}
	if set.compareTo != "" {
		if err := compareDialogScores(w, set.compareTo, queries, rows[1:]); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "paired differences, row - baseline (95%% bootstrap over dialogs, same resamples for both; this, not the overlap of the intervals above, is the test):\n")
	paired := func(name string, a []cvScore, baseName string, b []cvScore, seed uint64) {
		if a == nil {
			return
		}
		for i, m := range measures {
			fmt.Fprintf(w, "  %-6s %-24s - %-24s %s\n", m.name, name, baseName, pairedInterval(queries, a, b, seed+uint64(i), m.keep, m.get).Dec())
		}
	}
	paired("fusion (CV)", held1, "plain bm25", plain, 200)
	for i, m := range models {
		seed := 210 + 100*uint64(i)
		paired(m.variant.name, learned[i], "plain bm25", plain, seed)
		paired(m.variant.name, learned[i], "fusion (CV)", held1, seed+10)
		if i > 0 && learned[i] != nil {
			paired(m.variant.name, learned[i], models[0].variant.name, learned[0], seed+20)
		}
	}
	if held != nil {
		paired("fusion, 2 passes (CV)", held, "fusion (CV)", held1, 230)
		fmt.Fprintf(w, "chosen, fusion, 2 passes:\n")
		printChosen(w, chosen)
	}
	fmt.Fprintf(w, "chosen, fusion:\n")
	printChosen(w, chosen1)
	return nil
}

// engineFirstSection prints subtask B with the search engine's order as
// the re-ranker's first stage (cvQuery.engineHits): each question's own ten
// threads in the engine's order, read by the re-ranker as recall reads
// Search's top candidates, the engine's rank filling Search's rank
// features. Two models: v2 as cross-validated (trained on Search's pools of
// every set read, without the held-out fold) and the engine-first model
// (v2's features trained on subtask B's own pairs in the engine's order,
// without the held-out fold, penalty chosen inside the training folds).
// Both use the task's order, which the bot's own ranking (own rank) does
// not; they stand beside it and beside the engine's order alone, with
// paired intervals.
func engineFirstSection(w io.Writer, set *cvSet, k int, models []*rerankModels, own [][]cvScore, engine []cvScore) {
	queries, memo := set.queries, set.memo
	if !slices.ContainsFunc(queries, func(q *cvQuery) bool { return q.engineHits != nil }) {
		return
	}
	st := func(s cvScore) float64 { return s.subtask }
	subtaskB := measure{"subtask B MAP", all, st}
	type scored struct {
		name   string
		scores []cvScore
	}
	var rows []scored
	var ownRank scored // the shipped model's own ranking, the bot's
	for i, m := range models {
		switch {
		case i == shippedVariant:
			ss, _ := crossValidateEach(queries, k, func(f int) []cvConfig {
				c := m.forFold(f)
				c.engine = true
				return []cvConfig{c}
			}, st, memo, nil)
			rows = append(rows, scored{m.variant.name + ", engine first", ss})
			ownRank = scored{m.variant.name + ", own rank", own[i]}
		case m.variant.engine:
			ss, _ := crossValidateEach(queries, k, learnedGrid(m), st, memo, nil)
			rows = append(rows, scored{m.variant.name, ss})
		}
	}
	if len(rows) == 0 {
		return
	}
	missing, total := 0, 0
	for _, q := range queries {
		for _, h := range q.engineHits {
			total++
			if h.Score == 0 {
				missing++
			}
		}
	}
	fmt.Fprintf(w, "subtask B with the search engine's order as the re-ranker's first stage (these rows USE the engine's order: each question's own threads in the engine's order, its rank in Search's rank features; Search's score of each thread among its own ten, %d of %d threads with none):\n", missing, total)
	cell := func(ss []cvScore, seed uint64) string {
		return fmt.Sprintf("%.4f %s", foldMean(queries, k, ss, all, st), cvInterval(queries, ss, seed, all, st).Dec())
	}
	for i, r := range rows {
		fmt.Fprintf(w, "%-34s %-34s\n", r.name, cell(r.scores, 600+uint64(i)))
	}
	fmt.Fprintf(w, "%-34s %-34s\n", "search engine", cell(engine, 43))
	if ownRank.scores != nil {
		fmt.Fprintf(w, "%-34s %-34s\n", ownRank.name, cell(ownRank.scores, 60+shippedVariant))
	}
	seed := uint64(610)
	for i, r := range rows {
		against := []scored{{"search engine", engine}}
		if ownRank.scores != nil {
			against = append(against, ownRank)
		}
		against = append(against, rows[:i]...)
		for _, b := range against {
			seed++
			fmt.Fprintf(w, "  %-14s %-34s - %-28s %s\n", subtaskB.name, r.name, b.name, pairedInterval(queries, r.scores, b.scores, seed, subtaskB.keep, subtaskB.get).Dec())
		}
	}
	for _, m := range models {
		if m.variant.engine {
			fmt.Fprintf(w, "%s: penalty chosen inside the training folds:%s\n", m.variant.name, m)
		}
	}
}
