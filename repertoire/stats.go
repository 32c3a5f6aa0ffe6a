package repertoire

import (
	"context"
	"fmt"
)

// Stats are the store's totals, for /metrics and status lines.
type Stats struct {
	Entries       int64
	Private       int64
	Detected      int64
	OpenQuestions int64
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.r.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE private = 1),
		count(*) FILTER (WHERE status = 'detected'), (SELECT count(*) FROM open_questions) FROM entries`).
		Scan(&st.Entries, &st.Private, &st.Detected, &st.OpenQuestions)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}
