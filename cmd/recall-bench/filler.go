package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// The filler benchmark asks what a member sees: each LiveChat dialog is an
// entry (its replies), and its opening question is asked twice, once with
// its dialog in the repertoire (does the answer show the right entry?) and
// once with it removed (does the bot answer at all? anything it shows then
// is filler, since the entry that answered is gone). Dialogs are split into
// five folds: fold k's store holds every other fold, so fold k's questions
// are the "removed" asks and the other folds' the "indexed" asks. Today's
// ranking (the search's top three, shown whenever there is a hit) runs
// beside the relevance gate (bot.Relevant) in the same run; the gate's one
// parameter, the share of content words an entry must hold, is chosen on
// the other folds (k-fold cross-validation): the least filler among the
// gates that lose at most fillerTolerance of today's right-entry rate; it is
// reported on the held-out fold.

const fillerFolds = 5

// fillerTolerance is how much of today's right-entry rate (absolute) a gate
// may lose on the training folds: the filler must go down without losing
// the answers.
const fillerTolerance = 0.02

// fillerGates are the candidate gates: share of content words × coverage.
var fillerGates = func() []bot.Gate {
	var out []bot.Gate
	for _, n := range []int{1, 2, 3} {
		for _, s := range []float64{0, 0.2, 0.34} {
			for _, c := range []float64{0, 0.1, 0.2, 0.3} {
				out = append(out, bot.Gate{Share: s, Coverage: c, Words: n})
			}
		}
	}
	return out
}()

// fillerOutcome is what one system did for one ask.
type fillerOutcome struct {
	right, top1, answered bool
}

func livechatFiller(ctx context.Context, w io.Writer, dir, folder string, rd dialogReading) error {
	files, err := filepath.Glob(filepath.Join(folder, "*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return fmt.Errorf("no .txt dialog files in %s", folder)
	}
	dialogs, err := livechatDialogItems(files, rd)
	if err != nil {
		return err
	}
	// systems: 0 today's ranking, 1.. the gate at each share.
	nsys := 1 + len(fillerGates)
	// indexed[k][s] and removed[k][s] are the outcomes with fold k's store.
	indexed := make([][][]fillerOutcome, fillerFolds)
	removed := make([][][]fillerOutcome, fillerFolds)
	related := newRelatedTally()
	for k := range fillerFolds {
		file := filepath.Join(dir, fmt.Sprintf("filler-%d.db", k))
		os.Remove(file)
		store, err := sqlite.Open(ctx, file, nil)
		if err != nil {
			return err
		}
		for i, d := range dialogs {
			if i%fillerFolds == k {
				continue
			}
			if err := saveEval(ctx, store, d.id, "", d.answer); err != nil {
				store.Close()
				return fmt.Errorf("index %s: %w", d.id, err)
			}
		}
		indexed[k] = make([][]fillerOutcome, nsys)
		removed[k] = make([][]fillerOutcome, nsys)
		for i, d := range dialogs {
			hits, err := store.Search(ctx, repertoire.SearchParams{Text: d.question, From: evalChannel, Limit: bot.RecallCandidates})
			if err != nil {
				store.Close()
				return err
			}
			if err := related.add(ctx, store, k, i%fillerFolds == k, d.question, d.id, hits); err != nil {
				store.Close()
				return err
			}
			for s := range nsys {
				shown := hits
				if s > 0 {
					shown = bot.Relevant(d.question, hits, fillerGates[s-1])
				}
				if len(shown) > bot.RecallShown {
					shown = shown[:bot.RecallShown]
				}
				o := fillerOutcome{answered: len(shown) > 0}
				for j, h := range shown {
					if h.SourceID == d.id {
						o.right, o.top1 = true, j == 0
					}
				}
				if i%fillerFolds == k {
					removed[k][s] = append(removed[k][s], o)
				} else {
					indexed[k][s] = append(indexed[k][s], o)
				}
			}
		}
		store.Close()
		os.Remove(file)
	}
	rate := func(os []fillerOutcome, f func(fillerOutcome) bool) float64 {
		n := 0
		for _, o := range os {
			if f(o) {
				n++
			}
		}
		return float64(n) / float64(max(len(os), 1))
	}
	right := func(o fillerOutcome) bool { return o.right }
	top1 := func(o fillerOutcome) bool { return o.top1 }
	answered := func(o fillerOutcome) bool { return o.answered }
	// Per fold: today's figures, and the gate at the share the other folds chose.
	type figures struct{ right, top1, filler []float64 }
	var today, gate figures
	var chosen []string
	for k := range fillerFolds {
		// The gate with the least filler on the other folds among those that
		// keep their right-entry rate within fillerTolerance of today's.
		train := func(s int, f func(fillerOutcome) bool, removedAsks bool) float64 {
			var sum float64
			for o := range fillerFolds {
				if o == k {
					continue
				}
				if removedAsks {
					sum += rate(removed[o][s], f)
				} else {
					sum += rate(indexed[o][s], f)
				}
			}
			return sum / (fillerFolds - 1)
		}
		floor := train(0, right, false) - fillerTolerance
		best, bestFiller := 0, math.Inf(1)
		for s := 1; s < nsys; s++ {
			if train(s, right, false) < floor {
				continue
			}
			if f := train(s, answered, true); f < bestFiller-1e-12 {
				best, bestFiller = s, f
			}
		}
		if best == 0 {
			return fmt.Errorf("fold %d: no gate keeps the right-entry rate", k)
		}
		chosen = append(chosen, gateName(fillerGates[best-1]))
		for _, x := range []struct {
			f *figures
			s int
		}{{&today, 0}, {&gate, best}} {
			x.f.right = append(x.f.right, rate(indexed[k][x.s], right))
			x.f.top1 = append(x.f.top1, rate(indexed[k][x.s], top1))
			x.f.filler = append(x.f.filler, rate(removed[k][x.s], answered))
		}
	}
	fmt.Fprintf(w, "\n== LiveChat filler (%d files, %d dialogs, %d folds): each opening asked with its dialog indexed and with it removed\n",
		len(files), len(dialogs), fillerFolds)
	fmt.Fprintf(w, "fold-averaged, 95%% t-intervals over folds; gate chosen per fold on the other folds (least filler losing ≤ %.0f pts of right entries): %v\n", 100*fillerTolerance, chosen)
	fmt.Fprintf(w, "%-22s %-20s %-20s %-20s\n", "", "right entry shown", "right entry first", "filler (answered")
	fmt.Fprintf(w, "%-22s %-20s %-20s %-20s\n", "", "(dialog indexed)", "(dialog indexed)", "with it removed)")
	for _, x := range []struct {
		name string
		f    figures
	}{{"today (top 3 of search)", today}, {"relevance gate", gate}} {
		fmt.Fprintf(w, "%-22s %-20s %-20s %-20s\n", x.name, interval(x.f.right), interval(x.f.top1), interval(x.f.filler))
	}
	fmt.Fprintf(w, "every gate, averaged over folds (right shown / filler):\n")
	for s := 1; s < nsys; s++ {
		var r, f float64
		for k := range fillerFolds {
			r += rate(indexed[k][s], right)
			f += rate(removed[k][s], answered)
		}
		fmt.Fprintf(w, "  %-22s %.3f / %.3f\n", gateName(fillerGates[s-1]), r/fillerFolds, f/fillerFolds)
	}
	related.print(w)
	return nil
}

func gateName(g bot.Gate) string {
	return fmt.Sprintf("words %d, share %.2f, coverage %.1f", g.Words, g.Share, g.Coverage)
}

// interval formats the mean of per-fold rates with a 95% t-interval.
func interval(xs []float64) string {
	n := float64(len(xs))
	var mean, ss float64
	for _, x := range xs {
		mean += x
	}
	mean /= n
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	// t(0.975) for 4 degrees of freedom (five folds); wider for fewer.
	t := map[int]float64{1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78}[len(xs)-1]
	if t == 0 {
		t = 1.96
	}
	half := t * math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	return fmt.Sprintf("%.3f ± %.3f", mean, half)
}
