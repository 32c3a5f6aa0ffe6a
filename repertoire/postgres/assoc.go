package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// LearnAssociation counts one question–answer pair of a public entry,
// given by the keys of its question and of its answer (at most 64 of each
// are counted), in the store's association counts, and records what it
// counted with the entry: deleting the entry, changing its text or making
// it private takes the pair back (migration 0003's triggers). An entry
// that is gone or private teaches nothing.
func (s *Store) LearnAssociation(ctx context.Context, entryID int64, question, answer []string) error {
	question, answer = repertoire.DistinctKeys(question), repertoire.DistinctKeys(answer)
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
		for _, k := range repertoire.DistinctKeys(append(append([]string{}, question...), answer...)) {
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
