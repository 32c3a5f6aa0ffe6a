package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// An import's new entries are written many rows per statement. Every
// statement that writes entries opens a statement savepoint (the table's
// triggers could fail halfway), and FTS5 writes its pending rows to disk
// as a new segment at every savepoint: one INSERT per entry wrote one
// segment per entry, then merged them, and copied each page it touched to
// the statement journal first. Written bulkRows at a time, a batch makes a
// segment per statement instead. The rows go in the batch's order, so
// they get the ids one-by-one inserts gave them.

// bulkRows is the most entries one statement inserts: 20 parameters each,
// far under SQLite's 32,766.
const bulkRows = 500

// bulkEndorsements is the most savers or votes one statement inserts (4
// parameters each).
const bulkEndorsements = 2000

// sourceKey is an entry's source, unique among entries.
type sourceKey struct{ platform, space, channel, source string }

func keyOf(r *repertoire.Record) sourceKey {
	return sourceKey{r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.SourceID}
}

// enqueue adds a record with no entry yet to the queue, writing the queue
// when it is full.
func (w *bulkWriter) enqueue(ctx context.Context, r *repertoire.Record) error {
	w.queue = append(w.queue, r)
	w.queued[keyOf(r)] = true
	if len(w.queue) >= w.rows {
		return w.createQueued(ctx)
	}
	return nil
}

// createQueued inserts the queued records' entries, then their savers, then
// their voters (a voter who also saves is not counted twice, as upsert
// does), each in as few statements as fit.
func (w *bulkWriter) createQueued(ctx context.Context) error {
	if len(w.queue) == 0 {
		return nil
	}
	if err := w.insertQueued(ctx); err != nil {
		return fmt.Errorf("new entries %s to %s: %w", w.queue[0].SourceID, w.queue[len(w.queue)-1].SourceID, err)
	}
	w.queue = w.queue[:0]
	clear(w.queued)
	return nil
}

func (w *bulkWriter) insertQueued(ctx context.Context) error {
	args := make([]any, 0, 20*len(w.queue))
	for _, r := range w.queue {
		args = append(args, r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.Channel.Name, r.Channel.Private,
			r.SourceID, r.ThreadID, r.QuestionID, r.Permalink, r.Kind, r.Status, r.Question, r.QuestionAuthor.ID,
			r.QuestionAuthor.Name, r.Answer, r.Author.ID, r.Author.Name, repertoire.JoinTags(r.Tags),
			r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli())
	}
	rows, err := w.tx.QueryContext(ctx, `INSERT INTO entries (platform, space, channel_id, channel_name, private,
		source_id, thread_id, question_id, permalink, kind, status, question, question_author_id,
		question_author_name, answer, author_id, author_name, tags, created_at, updated_at) VALUES `+
		placeholders(len(w.queue), 20)+` RETURNING id, platform, space, channel_id, source_id`, args...)
	if err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	ids := make(map[sourceKey]int64, len(w.queue))
	for rows.Next() {
		var (
			id int64
			k  sourceKey
		)
		if err := rows.Scan(&id, &k.platform, &k.space, &k.channel, &k.source); err != nil {
			rows.Close()
			return fmt.Errorf("insert entries: %w", err)
		}
		ids[k] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	var savers, voters []any
	for _, r := range w.queue {
		id, ok := ids[keyOf(r)]
		if !ok {
			return fmt.Errorf("insert entries: no id returned for %s", r.SourceID)
		}
		for _, p := range r.Savers {
			savers = append(savers, id, p.ID, p.Name, p.At.UnixMilli())
		}
		for _, p := range r.Voters {
			voters = append(voters, id, p.ID, p.Name, p.At.UnixMilli())
		}
	}
	for len(savers) > 0 {
		n := min(len(savers)/4, bulkEndorsements)
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at) VALUES `+
			placeholders(n, 4)+` ON CONFLICT DO NOTHING`, savers[:4*n]...); err != nil {
			return fmt.Errorf("add savers: %w", err)
		}
		savers = savers[4*n:]
	}
	for len(voters) > 0 {
		n := min(len(voters)/4, bulkEndorsements)
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, user_name, voted_at)
			SELECT column1, column2, column3, column4 FROM (VALUES `+placeholders(n, 4)+`) v
			WHERE NOT EXISTS (SELECT 1 FROM savers s WHERE s.entry_id = v.column1 AND s.user_id = v.column2)
			ON CONFLICT DO NOTHING`, voters[:4*n]...); err != nil {
			return fmt.Errorf("add votes: %w", err)
		}
		voters = voters[4*n:]
	}
	return nil
}

// placeholders is n rows of width parameters each, "(?,?),(?,?)".
func placeholders(n, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}
