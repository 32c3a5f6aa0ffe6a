package sqlcore

import (
	"context"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// EntryCounts returns the entry counts the triggers of migration 0011 keep
// current: a few rows, whatever the size of the repertoire (metrics read it
// on every scrape).
func (s *Core) EntryCounts(ctx context.Context) ([]repertoire.EntryCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, private, status, n FROM entry_kind_counts WHERE n <> 0 ORDER BY kind, private, status`)
	if err != nil {
		return nil, fmt.Errorf("entry counts: %w", err)
	}
	defer rows.Close()
	var out []repertoire.EntryCount
	for rows.Next() {
		var c repertoire.EntryCount
		if err := rows.Scan(&c.Kind, &c.Private, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("entry counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("entry counts: %w", err)
	}
	return out, nil
}
