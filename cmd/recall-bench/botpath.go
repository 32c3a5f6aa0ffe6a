package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// botRecallLatency times recall as the bot answers, per query of every
// class interleaved: Search's top bot.RerankPool re-ranked, with one pass
// (the learned model that ships, and fusion alone) and with the second,
// expanded pass (bot.SearchExpanded) of the sizes cross-validation may
// choose, same queries, same run; wall and CPU time.
func botRecallLatency(ctx context.Context, w io.Writer, store repertoire.RecallStore, from repertoire.Channel, queries map[string][]zipfQuery, perClass int) error {
	// -1 is one pass re-ranked by reciprocal-rank fusion alone
	// (bot.FusionRerank, what shipped before the learned model).
	expands := []int{0, -1}
	for _, ex := range cvExpands {
		if ex > 0 {
			expands = append(expands, ex)
		}
	}
	wall := map[int][]time.Duration{}
	cpu := map[int][]time.Duration{}
	for i := range perClass {
		for _, c := range zipfClasses {
			if i >= len(queries[c]) {
				continue
			}
			q := queries[c][i].text
			for _, ex := range expands {
				t0, c0 := time.Now(), cpuTime()
				hits, err := bot.SearchExpanded(ctx, store, repertoire.SearchParams{Text: q, From: from, Limit: bot.RerankPool}, max(ex, 0))
				if err != nil {
					return fmt.Errorf("search %q: %w", q, err)
				}
				weights, assoc := bot.DefaultRerank, (*bot.Assoc)(nil)
				if ex < 0 {
					weights = bot.FusionRerank
				} else if ar, ok := store.(assocReader); ok {
					// The learned model reads word associations: recall
					// looks them up as the bot does (bot/learn.go).
					c, err := ar.Associations(ctx, bot.AssocKeys(q, 32), bot.AssocPerKey)
					if err != nil {
						return fmt.Errorf("associations %q: %w", q, err)
					}
					assoc = bot.NewAssoc(c)
				}
				bot.RerankWith(q, hits, weights, assoc)
				wall[ex] = append(wall[ex], time.Since(t0))
				cpu[ex] = append(cpu[ex], cpuTime()-c0)
			}
		}
	}
	fmt.Fprintf(w, "recall as the bot answers (Search's top %d re-ranked; all classes), wall and CPU p50/p95/p99 (n):\n", bot.RerankPool)
	for _, ex := range expands {
		name := "one pass"
		switch {
		case ex < 0:
			name = "one pass, fusion alone"
		case ex > 0:
			name = fmt.Sprintf("two passes, %d feedback words", ex)
		}
		mark := ""
		if ex == bot.ExpandWords {
			mark = " (ships)"
		}
		fmt.Fprintf(w, "  %-32s wall %-28s cpu %s%s\n", name, percentiles(wall[ex]), percentiles(cpu[ex]), mark)
	}
	return nil
}

// assocReader is the part of a store that reads word associations.
type assocReader interface {
	Associations(ctx context.Context, keys []string, perKey int) (repertoire.AssocCounts, error)
}
