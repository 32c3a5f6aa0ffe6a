package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/repertoire/repertoire/repertoire"
)

// LearnAssociation counts one question–answer pair of a public entry,
// given by the keys of its question and of its answer (at most 64 of each
// are counted), in the store's association counts, and records what it
// counted with the entry: deleting the entry, changing its text or making
// it private takes the pair back (migration 0003's triggers). An entry
// that is gone or private teaches nothing.
func (s *Store) LearnAssociation(ctx context.Context, entryID int64, question, answer []string) error {
	question, answer = assocKeys(question), assocKeys(answer)
	if len(question) == 0 || len(answer) == 0 {
		return nil
	}
	err := s.tx(ctx, "", func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO assoc_learned (entry_id, q, a)
			SELECT id, ARRAY(SELECT json_array_elements_text(?::json)), ARRAY(SELECT json_array_elements_text(?::json))
			FROM entries WHERE id = ? AND private = 0`, jsonList(question), jsonList(answer), entryID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // gone or private: nothing learned
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assoc_stats SET pairs = pairs + 1 WHERE id = 1`); err != nil {
			return err
		}
		type termRow struct {
			T string `json:"t"`
			Q int    `json:"q"`
			A int    `json:"a"`
		}
		inQ, inA := map[string]bool{}, map[string]bool{}
		for _, k := range question {
			inQ[k] = true
		}
		for _, k := range answer {
			inA[k] = true
		}
		var terms []termRow
		for _, k := range assocKeys(append(append([]string{}, question...), answer...)) {
			terms = append(terms, termRow{k, b2i(inQ[k]), b2i(inA[k])})
		}
		b, err := json.Marshal(terms)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO assoc_terms (term, q, a)
			SELECT d.t, d.q, d.a FROM json_to_recordset(?::json) AS d(t text, q integer, a integer)
			ON CONFLICT (term) DO UPDATE SET q = assoc_terms.q + excluded.q, a = assoc_terms.a + excluded.a`, string(b)); err != nil {
			return err
		}
		type pairRow struct {
			Q string `json:"q"`
			A string `json:"a"`
		}
		var pairs []pairRow
		for _, q := range question {
			for _, a := range answer {
				pairs = append(pairs, pairRow{q, a})
			}
		}
		if b, err = json.Marshal(pairs); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO assoc_pairs (q, a, n)
			SELECT d.q, d.a, 1 FROM json_to_recordset(?::json) AS d(q text, a text)
			ON CONFLICT (q, a) DO UPDATE SET n = assoc_pairs.n + 1`, string(b))
		return err
	})
	if err != nil {
		return fmt.Errorf("learn association: %w", err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Associations reads the association counts a question with these keys
// needs (at most 64 keys): each key's counts and its perKey most frequent
// partners (at most 64) with theirs.
func (s *Store) Associations(ctx context.Context, keys []string, perKey int) (repertoire.AssocCounts, error) {
	perKey = min(max(perKey, 0), 64)
	out := repertoire.AssocCounts{Q: map[string]int{}, A: map[string]int{}, Both: map[string]map[string]int{}}
	keys = assocKeys(keys)
	if len(keys) == 0 {
		return out, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
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
	rows, err := tx.QueryContext(ctx, `SELECT term, q, a FROM assoc_terms
		WHERE term IN (SELECT value FROM json_array_elements_text(?::json))`, jsonList(terms))
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

// assocKeys are the distinct keys of a pair or a lookup, as the SQLite
// store counts them.
func assocKeys(keys []string) []string { return repertoire.DistinctKeys(keys) }
