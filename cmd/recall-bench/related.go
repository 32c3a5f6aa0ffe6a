package main

import (
	"context"
	"fmt"
	"io"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// relatedOptions are the few rules compared for what recall shows when no
// entry passes its gate: nothing (today), or one entry labelled "possibly
// related" that holds one content word: any, one whose matched words carry
// half the question's weight (the search's Coverage, where a word no entry
// holds weighs most), half of the weight of the words the repertoire
// knows, or that in a question half of whose words it knows
// (bot.DefaultRelated). They are principled choices, not tuned here.
var relatedOptions = []struct {
	name string
	rule *bot.RelatedRule // nil: nothing
}{
	{"nothing (today)", nil},
	{"related: 1 word", &bot.RelatedRule{Gate: bot.Gate{Words: 1}}},
	{"related: 1 word, ≥½ weight", &bot.RelatedRule{Gate: bot.Gate{Words: 1, Coverage: 0.5}}},
	{"related: 1 word, ≥½ known", &bot.RelatedRule{Gate: bot.Gate{Words: 1}, KnownShare: 0.5}},
	{"related: ≥½ known, ≥½ words", &bot.DefaultRelated},
}

// relatedTally counts, per fold and option, what a member saw.
type relatedTally struct {
	// per fold k, option o
	indexed, removed [fillerFolds][]int // asks
	right, rightRel  [fillerFolds][]int // right entry shown (any tier) / in the related tier (indexed)
	relIdx, relRem   [fillerFolds][]int // related tier fired (indexed / removed)
	answeredRem      [fillerFolds][]int // anything shown with the dialog removed
}

func newRelatedTally() *relatedTally {
	t := &relatedTally{}
	for k := range fillerFolds {
		for _, p := range []*[fillerFolds][]int{&t.indexed, &t.removed, &t.right, &t.rightRel, &t.relIdx, &t.relRem, &t.answeredRem} {
			p[k] = make([]int, len(relatedOptions))
		}
	}
	return t
}

// add records one ask: its search hits, whether its dialog was removed
// (fold k's own), and the right entry's source ID.
func (t *relatedTally) add(ctx context.Context, store repertoire.Store, k int, removedAsk bool, question, id string, hits []repertoire.Hit) error {
	shown := bot.Relevant(question, hits, bot.DefaultGate)
	var weights map[string]float64
	if len(shown) == 0 {
		var err error
		if weights, err = bot.Weights(ctx, store, question); err != nil {
			return err
		}
	}
	if len(shown) > bot.RecallShown {
		shown = shown[:bot.RecallShown]
	}
	for o, opt := range relatedOptions {
		var rel []repertoire.Hit
		if opt.rule != nil {
			rel = bot.Related(question, hits, *opt.rule, weights)
		}
		if removedAsk {
			t.removed[k][o]++
			if len(shown)+len(rel) > 0 {
				t.answeredRem[k][o]++
			}
			if len(rel) > 0 {
				t.relRem[k][o]++
			}
			continue
		}
		t.indexed[k][o]++
		if len(rel) > 0 {
			t.relIdx[k][o]++
		}
		for _, h := range shown {
			if h.SourceID == id {
				t.right[k][o]++
			}
		}
		for _, h := range rel {
			if h.SourceID == id {
				t.right[k][o]++
				t.rightRel[k][o]++
			}
		}
	}
	return nil
}

func (t *relatedTally) print(w io.Writer) {
	fmt.Fprintf(w, "\n== When nothing passes the gate: show one entry as \"possibly related\"? (same searches, %d folds, fold-averaged, 95%% t-intervals)\n", fillerFolds)
	fmt.Fprintf(w, "%-28s %-16s %-16s %-16s %-16s %-16s %-16s\n", "", "right shown", "right related", "related fired", "related right", "filler: any", "filler: related")
	fmt.Fprintf(w, "%-28s %-16s %-16s %-16s %-16s %-16s %-16s\n", "", "(indexed)", "(gain, indexed)", "(indexed)", "(when fired)", "(removed)", "(removed)")
	for o, opt := range relatedOptions {
		var right, gain, fired, prec, any, rel []float64
		for k := range fillerFolds {
			n, m := float64(max(t.indexed[k][o], 1)), float64(max(t.removed[k][o], 1))
			right = append(right, float64(t.right[k][o])/n)
			gain = append(gain, float64(t.rightRel[k][o])/n)
			fired = append(fired, float64(t.relIdx[k][o])/n)
			prec = append(prec, float64(t.rightRel[k][o])/float64(max(t.relIdx[k][o], 1)))
			any = append(any, float64(t.answeredRem[k][o])/m)
			rel = append(rel, float64(t.relRem[k][o])/m)
		}
		fmt.Fprintf(w, "%-28s %-16s %-16s %-16s %-16s %-16s %-16s\n", opt.name, interval(right), interval(gain), interval(fired), interval(prec), interval(any), interval(rel))
	}
}
