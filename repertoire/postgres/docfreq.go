package postgres

import (
	"context"
	"database/sql"
	"errors"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// docFrequency reads a single word's stem's entry count from the search
// index's terms (DocFrequencies).
func docFrequency(ctx context.Context, q sqlcore.Reader, term string) (int, bool, error) {
	words := repertoire.Terms(term)
	if len(words) != 1 {
		return 0, false, nil
	}
	var n int
	// Merged postings and pending ones (migration 0005).
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT df FROM search_terms WHERE term = ?1), 0)
		+ (SELECT count(*) FROM search_pending WHERE term = ?1)`, repertoire.StemOf(words[0])).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	return n, true, nil
}
