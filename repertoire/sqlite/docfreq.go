package sqlite

import (
	"context"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// docFrequency counts the entries whose full-text row matches term, a
// single word (DocFrequencies).
func docFrequency(ctx context.Context, q sqlcore.Reader, term string) (int, bool, error) {
	match := repertoire.MatchExpression(term)
	if match == "" || strings.Contains(match, " OR ") {
		return 0, false, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?`, match).Scan(&n); err != nil {
		return 0, false, err
	}
	return n, true, nil
}
