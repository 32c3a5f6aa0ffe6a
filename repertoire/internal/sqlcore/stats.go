package sqlcore

import (
	"context"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// Stats counts what the store holds.
func (s *Core) Stats(ctx context.Context) (repertoire.Stats, error) {
	var st repertoire.Stats
	err := s.r.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE private = 1),
		count(*) FILTER (WHERE status = 'detected'), (SELECT count(*) FROM open_questions) FROM entries`).
		Scan(&st.Entries, &st.Private, &st.Detected, &st.OpenQuestions)
	if err != nil {
		return repertoire.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// Ping checks that the database answers.
func (s *Core) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return nil
}
