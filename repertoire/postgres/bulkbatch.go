package postgres

import (
	"context"
	"fmt"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// importRecords upserts a batch's records. The new ones (all of them on a
// first import) are written in a few statements for the whole batch: their
// IDs drawn from the sequence in record order, the rows, savers and voters
// each as arrays unnested by one INSERT; the fold before commit then
// indexes them together. Records already stored go one by one through
// bulkWriter.upsert, which merges them; so does a batch that names one
// source twice (the second must see the first).
func importRecords(ctx context.Context, tx *dbTx, w *bulkWriter, recs []repertoire.Record, out *repertoire.BatchResult) error {
	type key struct{ platform, space, channel, source string }
	seen := map[key]bool{}
	var platforms, spaces, channels, sources []string
	for i := range recs {
		r := &recs[i]
		k := key{r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.SourceID}
		if seen[k] {
			return upsertEach(ctx, w, recs, out)
		}
		seen[k] = true
		platforms, spaces = append(platforms, k.platform), append(spaces, k.space)
		channels, sources = append(channels, k.channel), append(sources, k.source)
	}
	stored := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT k.i FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS k(p, s, c, src, i)
		JOIN entries e ON e.platform = k.p COLLATE "C" AND e.space = k.s COLLATE "C"
			AND e.channel_id = k.c COLLATE "C" AND e.source_id = k.src COLLATE "C"`, platforms, spaces, channels, sources)
	if err != nil {
		return fmt.Errorf("find entries: %w", err)
	}
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			rows.Close()
			return fmt.Errorf("find entries: %w", err)
		}
		stored[i-1] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find entries: %w", err)
	}
	var fresh []*repertoire.Record
	var old []repertoire.Record
	for i := range recs {
		if stored[i] {
			old = append(old, recs[i])
		} else {
			fresh = append(fresh, &recs[i])
		}
	}
	if len(fresh) > 0 {
		if err := insertFresh(ctx, tx, fresh); err != nil {
			return err
		}
		out.Created += len(fresh)
	}
	return upsertEach(ctx, w, old, out)
}

// upsertEach upserts records one at a time.
func upsertEach(ctx context.Context, w *bulkWriter, recs []repertoire.Record, out *repertoire.BatchResult) error {
	for i := range recs {
		o, err := w.upsert(ctx, &recs[i])
		if err != nil {
			return fmt.Errorf("record %s: %w", recs[i].SourceID, err)
		}
		switch o {
		case repertoire.Created:
			out.Created++
		case repertoire.Unchanged:
			out.Unchanged++
		default:
			out.Updated++
		}
	}
	return nil
}

// insertFresh writes records no entry holds yet, with their savers and
// voters (a voter who also saved counts once, as a saver), as upsert's
// insert does for one.
func insertFresh(ctx context.Context, tx *dbTx, recs []*repertoire.Record) error {
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('entries', 'id')) FROM generate_series(1, ?::integer)`, len(recs))
	if err != nil {
		return fmt.Errorf("entry IDs: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("entry IDs: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("entry IDs: %w", err)
	}
	if len(ids) != len(recs) {
		return fmt.Errorf("entry IDs: %d for %d records", len(ids), len(recs))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	n := len(recs)
	var (
		text    = make([][]string, 16)
		private = make([]int32, n)
		times   = [2][]int64{make([]int64, n), make([]int64, n)}
	)
	for i := range text {
		text[i] = make([]string, n)
	}
	type endorsement struct {
		users, names []string
		ids, at      []int64
	}
	var savers, voters endorsement
	for i, r := range recs {
		for j, v := range []string{r.Channel.Platform, r.Channel.Space, r.Channel.ID, r.Channel.Name, r.SourceID,
			r.ThreadID, r.QuestionID, r.Permalink, string(r.Kind), string(r.Status), r.Question, r.QuestionAuthor.ID,
			r.QuestionAuthor.Name, r.Answer, r.Author.ID, r.Author.Name} {
			text[j][i] = v
		}
		if r.Channel.Private {
			private[i] = 1
		}
		times[0][i], times[1][i] = r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli()
		for _, p := range r.Savers {
			savers.ids, savers.users = append(savers.ids, ids[i]), append(savers.users, p.ID)
			savers.names, savers.at = append(savers.names, p.Name), append(savers.at, p.At.UnixMilli())
		}
		for _, p := range r.Voters {
			voters.ids, voters.users = append(voters.ids, ids[i]), append(voters.users, p.ID)
			voters.names, voters.at = append(voters.names, p.Name), append(voters.at, p.At.UnixMilli())
		}
	}
	tags := make([]string, n)
	for i, r := range recs {
		tags[i] = joinTags(r.Tags)
	}
	args := []any{ids}
	for _, col := range text[:5] {
		args = append(args, col)
	}
	args = append(args, private)
	for _, col := range text[5:16] {
		args = append(args, col)
	}
	args = append(args, tags, times[0], times[1])
	if _, err := tx.ExecContext(ctx, `INSERT INTO entries (id, platform, space, channel_id, channel_name, source_id,
			private, thread_id, question_id, permalink, kind, status, question, question_author_id, question_author_name,
			answer, author_id, author_name, tags, created_at, updated_at)
		SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::text[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
			?::text[], ?::bigint[], ?::bigint[])`, args...); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	if len(savers.ids) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO savers (entry_id, user_id, user_name, saved_at)
			SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[]) ON CONFLICT DO NOTHING`,
			savers.ids, savers.users, savers.names, savers.at); err != nil {
			return fmt.Errorf("add savers: %w", err)
		}
	}
	if len(voters.ids) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO votes (entry_id, user_id, user_name, voted_at)
			SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS v(entry_id, user_id, user_name, voted_at)
			WHERE NOT EXISTS (SELECT 1 FROM savers s WHERE s.entry_id = v.entry_id AND s.user_id = v.user_id COLLATE "C")
			ON CONFLICT DO NOTHING`, voters.ids, voters.users, voters.names, voters.at); err != nil {
			return fmt.Errorf("add votes: %w", err)
		}
	}
	return nil
}
