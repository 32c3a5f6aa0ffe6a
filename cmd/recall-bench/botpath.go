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
// and with the second, expanded pass (bot.SearchExpanded) of the sizes
// cross-validation may choose, same queries, same run; wall and CPU time.
func botRecallLatency(ctx context.Context, w io.Writer, store repertoire.RecallStore, from repertoire.Channel, queries map[string][]zipfQuery, perClass int) error {
	// -1 is one pass re-ranked with the learned model's order fused in (a
	// model of ones: its cost does not depend on its weights).
	expands := []int{0, -1}
	ones := make([]float64, bot.NumRerankFeatures+1)
	for i := range ones {
		ones[i] = 1
	}
	learned := bot.DefaultRerank
	learned.Learned, learned.Model = 1, ones
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
				weights := bot.DefaultRerank
				if ex < 0 {
					weights = learned
				}
				bot.RerankWith(q, hits, weights, nil)
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
			name = "one pass, learned model fused"
		case ex > 0:
			name = fmt.Sprintf("two passes, %d feedback words", ex)
		}
		mark := ""
		if ex == bot.ExpandWords && bot.DefaultRerank.Learned == 0 {
			mark = " (ships)"
		}
		fmt.Fprintf(w, "  %-32s wall %-28s cpu %s%s\n", name, percentiles(wall[ex]), percentiles(cpu[ex]), mark)
	}
	return nil
}
