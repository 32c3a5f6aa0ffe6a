package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
	"time"
)

// ImportBatch writes many records in one IMMEDIATE transaction and marks the
// unit finished in it: either all of the batch is stored or none. Entries
// upsert by source: an existing entry takes the record's text, keeps its
// savers (the record's savers then count as votes) and gains the record's
// voters, so importing the same records twice changes nothing.
func (s *Store) ImportBatch(ctx context.Context, b repertoire.Batch) (repertoire.BatchResult, error) {
	var out repertoire.BatchResult
	for i := range b.Records {
		if err := b.Records[i].Validate(); err != nil {
			return out, fmt.Errorf("import batch %s: record %d (%s): %w", b.Unit, i, b.Records[i].SourceID, err)
		}
	}
	for i, q := range b.OpenQuestions {
		if err := q.Validate(); err != nil {
			return out, fmt.Errorf("import batch %s: open question %d: %w", b.Unit, i, err)
		}
	}
	err := s.tx(ctx, "", func(tx *dbTx) error {
		if b.Unit != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM import_units WHERE import_id = ? AND unit = ?`,
				b.Import, b.Unit).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return repertoire.ErrAlreadyApplied
			}
		}
		records, questions, forgotten, err := sqlcore.DropForgotten(ctx, tx, b.Records, b.OpenQuestions)
		if err != nil {
			return err
		}
		b.Records, b.OpenQuestions, out.Forgotten = records, questions, forgotten
		w, err := newBulkWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		if err := importRecords(ctx, tx, w, b.Records, &out); err != nil {
			return err
		}
		for _, q := range b.OpenQuestions {
			res, err := tx.ExecContext(ctx, `INSERT INTO open_questions (platform, space, channel_id, private,
				message_id, asker_id, asker_name, text, asked_at) SELECT ?1::text, ?2::text, ?3::text, ?4::integer, ?5::text, ?6::text, ?7::text, ?8::text, ?9::bigint
				WHERE NOT EXISTS (SELECT 1 FROM open_questions WHERE platform = ?1 AND space = ?2 AND channel_id = ?3
					AND message_id = ?5 AND asker_id = ?6 AND text = ?8 AND asked_at = ?9)`,
				q.Channel.Platform, q.Channel.Space, q.Channel.ID, q.Channel.Private, q.MessageID, q.Asker.ID,
				q.Asker.Name, cleanText(q.Text), q.AskedAt.UnixMilli())
			if err != nil {
				return fmt.Errorf("add open question: %w", err)
			}
			n, _ := res.RowsAffected()
			out.OpenQuestions += int(n)
		}
		if b.Unit != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO import_units (import_id, unit, entries, finished_at) VALUES (?,?,?,?)`,
				b.Import, b.Unit, len(b.Records), s.now().UnixMilli()); err != nil {
				return fmt.Errorf("record finished unit: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, repertoire.ErrAlreadyApplied) {
		return repertoire.BatchResult{}, fmt.Errorf("import batch %s: %w", b.Unit, repertoire.ErrAlreadyApplied)
	}
	if err != nil {
		return repertoire.BatchResult{}, fmt.Errorf("import batch %s: %w", b.Unit, err)
	}
	return out, nil
}

// FinishedUnits returns the units of an import already written, so a rerun
// skips them.
func (s *Store) FinishedUnits(ctx context.Context, importID string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT unit FROM import_units WHERE import_id = ?`, importID)
	if err != nil {
		return nil, fmt.Errorf("finished units: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("finished units: %w", err)
		}
		done[u] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finished units: %w", err)
	}
	return done, nil
}

// mergedEntry is an existing entry's columns merged with an imported record's
// (parameters ?2…?17 of the update).
const mergedEntry = `?2::text, ?3::integer, CASE WHEN ?4::text <> '' THEN ?4::text ELSE thread_id END,
	CASE WHEN ?9::text <> '' THEN ?5::text ELSE question_id END, CASE WHEN ?6::text <> '' THEN ?6::text ELSE permalink END, ?7::text,
	CASE WHEN status = 'saved' THEN 'saved' ELSE ?8::text END, CASE WHEN ?9::text <> '' THEN ?9::text ELSE question END,
	CASE WHEN ?9::text <> '' THEN ?10::text ELSE question_author_id END, CASE WHEN ?9::text <> '' THEN ?11::text ELSE question_author_name END,
	?12::text, ?13::text, ?14::text, ?15::text, LEAST(created_at, ?16::bigint), GREATEST(updated_at, ?17::bigint)`

// bulkWriter holds the statements of a batch, prepared once.
type bulkWriter struct {
	find, insert, update, countSavers, addSaver, addVote, dropVote *dbStmt
}

func newBulkWriter(ctx context.Context, tx *dbTx) (*bulkWriter, error) {
	w := &bulkWriter{}
	for _, p := range []struct {
		st *(*dbStmt)
		q  string
	}{
		{&w.find, `SELECT id, tags FROM entries WHERE platform = ? AND space = ? AND channel_id = ? AND source_id = ?`},
		{&w.insert, `INSERT INTO entries (platform, space, channel_id, channel_name, private, source_id, thread_id,
			question_id, permalink, kind, status, question, question_author_id, question_author_name, answer,
			author_id, author_name, tags, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`},
		// A member's save outranks a detection, and what the import lacks (a
		// question, a permalink) is kept; the other fields take the import's
		// values. Nothing is written when nothing differs.
		{&w.update, `UPDATE entries SET (channel_name, private, thread_id, question_id, permalink, kind, status,
				question, question_author_id, question_author_name, answer, author_id, author_name, tags, created_at,
				updated_at) = (` + mergedEntry + `)
			WHERE id = ?1 AND (channel_name, private, thread_id, question_id, permalink, kind, status, question,
				question_author_id, question_author_name, answer, author_id, author_name, tags, created_at,
				updated_at) IS DISTINCT FROM (` + mergedEntry + `)`},
		{&w.countSavers, `SELECT count(*) FROM savers WHERE entry_id = ?`},
		{&w.addSaver, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`},
		{&w.addVote, `INSERT INTO votes (entry_id, user_id, user_name, voted_at)
			SELECT ?1::bigint, ?2::text, ?3::text, ?4::bigint WHERE NOT EXISTS (SELECT 1 FROM savers WHERE entry_id = ?1 AND user_id = ?2)
			ON CONFLICT DO NOTHING`},
		{&w.dropVote, `DELETE FROM votes WHERE entry_id = ? AND user_id = ?`},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare bulk write: %w", err)
		}
		*p.st = st
	}
	return w, nil
}

func (w *bulkWriter) close() {
	for _, st := range []*dbStmt{w.find, w.insert, w.update, w.countSavers, w.addSaver, w.addVote, w.dropVote} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *bulkWriter) upsert(ctx context.Context, r *repertoire.Record) (repertoire.SaveOutcome, error) {
	var (
		id      int64
		oldTags string
		changed bool
	)
	err := w.find.QueryRowContext(ctx, r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.SourceID).Scan(&id, &oldTags)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err := w.insert.QueryRowContext(ctx, r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.Channel.Name,
			r.Channel.Private, r.SourceID, r.ThreadID, r.QuestionID, r.Permalink, r.Kind, r.Status, r.Question,
			r.QuestionAuthor.ID, r.QuestionAuthor.Name, r.Answer, r.Author.ID, r.Author.Name, joinTags(r.Tags),
			r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli()).Scan(&id)
		if err != nil {
			return repertoire.Unchanged, fmt.Errorf("insert entry: %w", err)
		}
		for _, p := range r.Savers {
			if _, err := w.addSaver.ExecContext(ctx, id, p.ID, p.Name, p.At.UnixMilli()); err != nil {
				return repertoire.Unchanged, fmt.Errorf("add saver: %w", err)
			}
		}
		if err := w.addVoters(ctx, id, r.Voters, nil); err != nil {
			return repertoire.Unchanged, err
		}
		return repertoire.Created, nil
	case err != nil:
		return repertoire.Unchanged, fmt.Errorf("find entry: %w", err)
	}
	res, err := w.update.ExecContext(ctx, id, r.Channel.Name, r.Channel.Private, r.ThreadID, r.QuestionID,
		r.Permalink, r.Kind, r.Status, r.Question, r.QuestionAuthor.ID, r.QuestionAuthor.Name, r.Answer,
		r.Author.ID, r.Author.Name, joinTags(append(splitTags(oldTags), r.Tags...)),
		r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli())
	if err != nil {
		return repertoire.Unchanged, fmt.Errorf("update entry: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		changed = true
	}
	var savers int
	if err := w.countSavers.QueryRowContext(ctx, id).Scan(&savers); err != nil {
		return repertoire.Unchanged, fmt.Errorf("count savers: %w", err)
	}
	// The record's savers save an entry nobody saves; otherwise they endorse
	// it like voters (an existing saver's endorsement is not counted twice).
	var asVotes []repertoire.Endorsement
	for _, p := range r.Savers {
		if savers > 0 {
			asVotes = append(asVotes, p)
			continue
		}
		if _, err := w.dropVote.ExecContext(ctx, id, p.ID); err != nil {
			return repertoire.Unchanged, fmt.Errorf("move vote to saver: %w", err)
		}
		res, err := w.addSaver.ExecContext(ctx, id, p.ID, p.Name, p.At.UnixMilli())
		if err != nil {
			return repertoire.Unchanged, fmt.Errorf("add saver: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = true
		}
	}
	if err := w.addVoters(ctx, id, append(asVotes, r.Voters...), &changed); err != nil {
		return repertoire.Unchanged, err
	}
	if changed {
		return repertoire.AddedVote, nil
	}
	return repertoire.Unchanged, nil
}

func (w *bulkWriter) addVoters(ctx context.Context, id int64, voters []repertoire.Endorsement, changed *bool) error {
	for _, p := range voters {
		res, err := w.addVote.ExecContext(ctx, id, p.ID, p.Name, p.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("add vote: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 && changed != nil {
			*changed = true
		}
	}
	return nil
}

// Export calls fn with every selected entry, complete with savers and voters,
// in a stable order (platform, space, channel, creation, source) so two
// exports of the same store are identical. It reads in one read transaction.
func (s *Store) Export(ctx context.Context, p repertoire.ExportParams, fn func(repertoire.Record) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	endorsements, err := tx.PrepareContext(ctx, `SELECT 0, user_id, user_name, saved_at FROM savers WHERE entry_id = ?1
		UNION ALL SELECT 1, user_id, user_name, voted_at FROM votes WHERE entry_id = ?1 ORDER BY 1, 4, 2`)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer endorsements.Close()
	// Entries are read in pages by key so no statement stays open while fn
	// runs and memory stays bounded by the page.
	type key struct {
		platform, space, channel string
		created                  int64
		source                   string
	}
	var after *key
	for {
		q := `SELECT ` + entryColumns + ` FROM entries e
			WHERE (?1 = '' OR platform = ?1) AND (?2 = '' OR channel_id = ?2) AND (?3::integer = 1 OR private = 0)`
		args := []any{p.Platform, p.Channel, p.Private}
		if after != nil {
			q += ` AND (platform, space, channel_id, created_at, source_id) > (?4, ?5, ?6, ?7, ?8)`
			args = append(args, after.platform, after.space, after.channel, after.created, after.source)
		}
		q += ` ORDER BY platform, space, channel_id, created_at, source_id LIMIT 500`
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		var page []repertoire.Entry
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("export: %w", err)
			}
			page = append(page, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, e := range page {
			r := repertoire.Record{Channel: e.Channel, SourceID: e.SourceID, ThreadID: e.ThreadID, QuestionID: e.QuestionID,
				Permalink: e.Permalink, Kind: e.Kind, Status: e.Status, Question: e.Question,
				QuestionAuthor: e.QuestionAuthor, Answer: e.Answer, Author: e.Author, Tags: e.Tags,
				CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
			erows, err := endorsements.QueryContext(ctx, e.ID)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			for erows.Next() {
				var (
					vote int
					en   repertoire.Endorsement
					at   int64
				)
				if err := erows.Scan(&vote, &en.ID, &en.Name, &at); err != nil {
					erows.Close()
					return fmt.Errorf("export: %w", err)
				}
				en.At = time.UnixMilli(at).UTC()
				if vote == 1 {
					r.Voters = append(r.Voters, en)
				} else {
					r.Savers = append(r.Savers, en)
				}
			}
			erows.Close()
			if err := erows.Err(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		last := page[len(page)-1]
		after = &key{last.Channel.Platform, last.Channel.Space, last.Channel.ID, last.CreatedAt.UnixMilli(), last.SourceID}
	}
}

// ExportOpenQuestions calls fn with every selected open question in a stable
// order (platform, space, channel, time asked, id).
func (s *Store) ExportOpenQuestions(ctx context.Context, p repertoire.ExportParams, fn func(repertoire.OpenQuestion) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export open questions: %w", err)
	}
	defer tx.Rollback()
	var (
		out   []repertoire.OpenQuestion
		after = []any{"", "", "", int64(-1), int64(-1)}
	)
	// Paged by key in the stable order so no statement stays open while fn runs.
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, platform, space, channel_id, private, message_id, asker_id,
				asker_name, text, asked_at FROM open_questions
			WHERE (?1 = '' OR platform = ?1) AND (?2 = '' OR channel_id = ?2) AND (?3::integer = 1 OR private = 0)
			  AND (platform, space, channel_id, asked_at, id) > (?4, ?5, ?6, ?7, ?8)
			ORDER BY platform, space, channel_id, asked_at, id LIMIT 500`,
			append([]any{p.Platform, p.Channel, p.Private}, after...)...)
		if err != nil {
			return fmt.Errorf("export open questions: %w", err)
		}
		out = out[:0]
		var id, at int64
		for rows.Next() {
			var q repertoire.OpenQuestion
			if err := rows.Scan(&id, &q.Channel.Platform, &q.Channel.Space, &q.Channel.ID, &q.Channel.Private,
				&q.MessageID, &q.Asker.ID, &q.Asker.Name, &q.Text, &at); err != nil {
				rows.Close()
				return fmt.Errorf("export open questions: %w", err)
			}
			q.ID, q.AskedAt = id, time.UnixMilli(at).UTC()
			out = append(out, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export open questions: %w", err)
		}
		if len(out) > 0 {
			last := out[len(out)-1]
			after = []any{last.Channel.Platform, last.Channel.Space, last.Channel.ID, last.AskedAt.UnixMilli(), last.ID}
		}
		if len(out) == 0 {
			return nil
		}
		for _, q := range out {
			if err := fn(q); err != nil {
				return err
			}
		}
	}
}
