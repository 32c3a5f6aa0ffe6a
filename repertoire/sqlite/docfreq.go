package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// DocFrequencies says in how many entries each term occurs (stemmed the way
// the search index stems), and how many entries there are: what tagging
// needs to find the terms that set an entry apart. Terms are words as Terms
// returns them; anything else counts zero.
func (s *Store) DocFrequencies(ctx context.Context, terms []string) (map[string]int, int, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("doc frequencies: %w", err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("doc frequencies: %w", err)
	}
	df := make(map[string]int, len(terms))
	for _, t := range terms {
		match := repertoire.MatchExpression(t)
		if match == "" || strings.Contains(match, " OR ") {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?`, match).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("doc frequencies: %w", err)
		}
		df[t] = n
	}
	return df, total, nil
}
