package sqlcore

import (
	"context"
	"fmt"
	"slices"

	"github.com/repertoire/repertoire/repertoire"
)

// Associations reads the association counts a question with these keys
// needs (at most repertoire.MaxAssocKeys keys): each key's counts and its
// perKey most frequent partners (at most MaxAssocKeys) with theirs.
func (s *Core) Associations(ctx context.Context, keys []string, perKey int) (repertoire.AssocCounts, error) {
	perKey = min(max(perKey, 0), repertoire.MaxAssocKeys)
	out := repertoire.AssocCounts{Q: map[string]int{}, A: map[string]int{}, Both: map[string]map[string]int{}}
	keys = repertoire.DistinctKeys(keys)
	if len(keys) == 0 {
		return out, nil
	}
	tx, err := s.read(ctx)
	if err != nil {
		return out, fmt.Errorf("associations: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT pairs FROM assoc_stats WHERE id = 1`).Scan(&out.Pairs); err != nil {
		return out, fmt.Errorf("associations: %w", err)
	}
	if out.Pairs == 0 {
		return out, nil
	}
	need := map[string]bool{}
	for _, k := range keys {
		need[k] = true
		rows, err := tx.QueryContext(ctx, `SELECT a, n FROM assoc_pairs WHERE q = ? ORDER BY n DESC, a LIMIT ?`, k, perKey)
		if err != nil {
			return out, fmt.Errorf("associations: %w", err)
		}
		for rows.Next() {
			var a string
			var n int
			if err := rows.Scan(&a, &n); err != nil {
				rows.Close()
				return out, fmt.Errorf("associations: %w", err)
			}
			if out.Both[k] == nil {
				out.Both[k] = map[string]int{}
			}
			out.Both[k][a] = n
			need[a] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, fmt.Errorf("associations: %w", err)
		}
	}
	terms := make([]string, 0, len(need))
	for k := range need {
		terms = append(terms, k)
	}
	rows, err := tx.QueryContext(ctx, `SELECT term, q, a FROM assoc_terms WHERE term IN (`+s.d.TextList+`)`, JSONList(terms))
	if err != nil {
		return out, fmt.Errorf("associations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var q, a int
		if err := rows.Scan(&k, &q, &a); err != nil {
			return out, fmt.Errorf("associations: %w", err)
		}
		if q > 0 && slices.Contains(keys, k) {
			out.Q[k] = q
		}
		if a > 0 {
			out.A[k] = a
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("associations: %w", err)
	}
	return out, nil
}
