package sqlcore

import (
	"context"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// AnswerVerdicts returns the verdicts members hold on the entries of a
// recall answer (the bot's posted message msg) and gave there, each entry
// and verdict once, in the order the answer showed the entries, "This
// helped" first. A member who changed a verdict holds only the latest, and
// one given on another answer since counts there. It is what the answer's
// buttons show as pressed; it returns ErrNotFound when msg is not a recall
// answer.
func (s *Core) AnswerVerdicts(ctx context.Context, msg repertoire.Source) ([]repertoire.Verdict, error) {
	id, err := recallAnswerID(ctx, s.r, msg)
	if err != nil {
		return nil, fmt.Errorf("answer verdicts: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT f.entry_id, f.helpful, e.position FROM entry_feedback f
		JOIN recall_answer_entries e ON e.answer_id = f.answer_id AND e.entry_id = f.entry_id
		WHERE f.answer_id = ? ORDER BY e.position, f.helpful DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("answer verdicts: %w", err)
	}
	defer rows.Close()
	var out []repertoire.Verdict
	for rows.Next() {
		var v repertoire.Verdict
		var position int
		if err := rows.Scan(&v.Entry, &v.Helpful, &position); err != nil {
			return nil, fmt.Errorf("answer verdicts: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("answer verdicts: %w", err)
	}
	return out, nil
}

// AnswerEntries returns the entries a recall answer (the bot's posted
// message msg) showed and that still exist, in the answer's order; it
// returns ErrNotFound when msg is not a recall answer.
func (s *Core) AnswerEntries(ctx context.Context, msg repertoire.Source) ([]int64, error) {
	id, err := recallAnswerID(ctx, s.r, msg)
	if err != nil {
		return nil, fmt.Errorf("answer entries: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT entry_id FROM recall_answer_entries WHERE answer_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("answer entries: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var e int64
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("answer entries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("answer entries: %w", err)
	}
	return out, nil
}
