package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// LearnAssociation counts one question–answer pair of a public entry,
// given by the keys of its question and of its answer (at most 64 of each
// are counted), in the store's association counts, and records what it
// counted with the entry: deleting the entry, changing its text or making
// it private takes the pair back (migration 0019's triggers). An entry
// that is gone or private teaches nothing.
func (s *Store) LearnAssociation(ctx context.Context, entryID int64, question, answer []string) error {
	question, answer = repertoire.DistinctKeys(question), repertoire.DistinctKeys(answer)
	if len(question) == 0 || len(answer) == 0 {
		return nil
	}
	qj, err := json.Marshal(question)
	if err != nil {
		return fmt.Errorf("learn association: %w", err)
	}
	aj, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("learn association: %w", err)
	}
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO assoc_learned (entry_id, q, a)
			SELECT id, ?, ? FROM entries WHERE id = ? AND private = 0`, string(qj), string(aj), entryID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // gone or private: nothing learned
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assoc_stats SET pairs = pairs + 1 WHERE id = 1`); err != nil {
			return err
		}
		inQ := map[string]bool{}
		for _, k := range question {
			inQ[k] = true
		}
		inA := map[string]bool{}
		for _, k := range answer {
			inA[k] = true
		}
		// Multi-row statements: one execution per few hundred rows, not one per row.
		var args []any
		for _, k := range repertoire.DistinctKeys(append(append([]string{}, question...), answer...)) {
			args = append(args, k, b2i(inQ[k]), b2i(inA[k]))
		}
		if err := execRows(ctx, tx, `INSERT INTO assoc_terms (term, q, a) VALUES `, `(?,?,?)`, 3, args,
			` ON CONFLICT (term) DO UPDATE SET q = q + excluded.q, a = a + excluded.a`); err != nil {
			return err
		}
		args = args[:0]
		for _, q := range question {
			for _, a := range answer {
				args = append(args, q, a)
			}
		}
		return execRows(ctx, tx, `INSERT INTO assoc_pairs (q, a, n) VALUES `, `(?,?,1)`, 2, args,
			` ON CONFLICT (q, a) DO UPDATE SET n = n + 1`)
	})
	if err != nil {
		return fmt.Errorf("learn association: %w", err)
	}
	return nil
}

// execRows runs head + rows (row repeated, width arguments each) + tail
// over args in batches of at most 250 rows.
func execRows(ctx context.Context, tx *sql.Tx, head, row string, width int, args []any, tail string) error {
	const batch = 250
	for start := 0; start < len(args); start += batch * width {
		part := args[start:min(start+batch*width, len(args))]
		rows := strings.TrimSuffix(strings.Repeat(row+",", len(part)/width), ",")
		if _, err := tx.ExecContext(ctx, head+rows+tail, part...); err != nil {
			return err
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
