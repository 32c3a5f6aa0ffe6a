package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// EntryColumns are the columns ScanEntry reads, of the entries table
// aliased e.
const EntryColumns = `e.id, e.platform, e.space, e.channel_id, e.channel_name, e.private, e.source_id, e.thread_id,
	e.question_id, e.permalink, e.kind, e.status, e.question, e.question_author_id, e.question_author_name,
	e.answer, e.author_id, e.author_name, e.tags, e.votes, e.helpful, e.unhelpful, e.created_at, e.updated_at, e.terms`

// Scanner is a row: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// ScanEntry reads one row of EntryColumns, then extra.
func ScanEntry(r Scanner, extra ...any) (repertoire.Entry, error) {
	var (
		e                repertoire.Entry
		tags, terms      string
		created, updated int64
		kind, status     string
	)
	dest := []any{&e.ID, &e.Channel.Platform, &e.Channel.Space, &e.Channel.ID, &e.Channel.Name, &e.Channel.Private,
		&e.SourceID, &e.ThreadID, &e.QuestionID, &e.Permalink, &kind, &status, &e.Question,
		&e.QuestionAuthor.ID, &e.QuestionAuthor.Name, &e.Answer, &e.Author.ID, &e.Author.Name, &tags,
		&e.Votes, &e.Helpful, &e.Unhelpful, &created, &updated, &terms}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return repertoire.Entry{}, err
	}
	e.Kind, e.Status = repertoire.Kind(kind), repertoire.Status(status)
	e.Tags, e.Terms = repertoire.SplitTags(tags), repertoire.SplitTags(terms)
	e.CreatedAt, e.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return e, nil
}

// LoadEntry reads entry id with its savers; ErrNotFound when there is none.
func LoadEntry(ctx context.Context, q Reader, id int64) (repertoire.Entry, error) {
	e, err := ScanEntry(q.QueryRowContext(ctx, `SELECT `+EntryColumns+` FROM entries e WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return repertoire.Entry{}, repertoire.ErrNotFound
	}
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("load entry: %w", err)
	}
	if e.Savers, err = LoadSavers(ctx, q, id); err != nil {
		return repertoire.Entry{}, err
	}
	return e, nil
}

// LoadSavers reads the members who save entry id, first saver first.
func LoadSavers(ctx context.Context, q Reader, id int64) ([]repertoire.Person, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id, user_name FROM savers WHERE entry_id = ? ORDER BY saved_at, user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load savers: %w", err)
	}
	defer rows.Close()
	var out []repertoire.Person
	for rows.Next() {
		var p repertoire.Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, fmt.Errorf("load savers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// QueryEntries runs a query selecting EntryColumns and loads each entry's
// savers.
func QueryEntries(ctx context.Context, q Reader, query string, args ...any) ([]repertoire.Entry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []repertoire.Entry
	for rows.Next() {
		e, err := ScanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Savers, err = LoadSavers(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
