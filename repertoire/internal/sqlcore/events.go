package sqlcore

import (
	"context"
	"fmt"
	"time"
)

// MarkApplied records a delivery that writes nothing else (a recall answer,
// say) so that a redelivery is not answered twice. It returns
// ErrAlreadyApplied the second time.
func (s *Core) MarkApplied(ctx context.Context, event string) error {
	if event == "" {
		return nil
	}
	return s.tx(ctx, event, func(Querier) error { return nil })
}

// PruneEvents forgets delivery IDs older than before; platforms stop
// redelivering long before that.
func (s *Core) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.exec(ctx, "", `DELETE FROM applied_events WHERE applied_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	// A "forget me" never confirmed keeps its member's ID no longer.
	if _, err := s.exec(ctx, "", `DELETE FROM forget_requests WHERE asked_at < ?`, before.UnixMilli()); err != nil {
		return 0, fmt.Errorf("prune forget requests: %w", err)
	}
	return n, nil
}

// DocFrequencies says in how many entries each term occurs (stemmed the way
// the search index stems), and how many entries there are: what tagging
// needs to find the terms that set an entry apart. Terms are words as Terms
// returns them; anything else counts zero.
func (s *Core) DocFrequencies(ctx context.Context, terms []string) (map[string]int, int, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("doc frequencies: %w", err)
	}
	defer tx.Rollback()
	// entry_counts (kept by triggers) holds a row per channel, week and
	// kind: summing it reads far fewer rows than counting the entries.
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM entry_counts`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("doc frequencies: %w", err)
	}
	df := make(map[string]int, len(terms))
	for _, t := range terms {
		n, ok, err := s.docFreq(ctx, tx, t)
		if err != nil {
			return nil, 0, fmt.Errorf("doc frequencies: %w", err)
		}
		if ok {
			df[t] = n
		}
	}
	return df, total, nil
}
