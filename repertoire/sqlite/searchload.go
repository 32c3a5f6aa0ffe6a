package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// Loading the hits. The pruned search scores entries from their postings
// (scoreFrom), the same computation that scores an entry from its text, so
// a hit's score, coverage and matched words are final once scored; what
// is left to read is each hit's row, to show it. The rows are read once:
// the last visibility check reads the full rows of the candidates it
// admits (at most k of them), and the final load reads only those of the
// hits admitted before (by the seed, or by a check while the walk ran).

// firstRound is the fewest candidates admitLast checks in one statement.
const firstRound = 8

// admitLast admits the best visible candidates of batch (best first,
// every one at or above the k-th score) into top, reading the full rows
// of those it admits. Candidates are checked in rounds, best first, as
// many as top lacks (at least firstRound), then twice as many each round:
// the first round most often settles top, and rows are read for little
// more than the hits.
// Rows come in any order; each round's are all admitted before the next
// (no ORDER BY and LIMIT: SQLite would read and sort every candidate's
// row for them).
func (sr *searcher) admitLast(ctx context.Context, batch []repertoire.Hit, top *topK) error {
	if sr.allVisible {
		for _, h := range batch {
			top.add(h)
		}
		return nil
	}
	st, err := sr.prepared(ctx, `SELECT `+entryColumns+`, `+saversColumn+`
		FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL)
	if err != nil {
		return err
	}
	args := make([]any, 1, len(sr.filterArgs)+1)
	args = append(args, sr.filterArgs...)
	at := map[int64]int{}
	var ids []int64
	round := 0
	for {
		// A candidate no better than the k-th hit cannot enter.
		for len(batch) > 0 && len(top.hits) >= top.k && !better(&batch[len(batch)-1], &top.hits[top.k-1]) {
			batch = batch[:len(batch)-1]
		}
		if len(batch) == 0 {
			return nil
		}
		round = min(max(top.k-len(top.hits), 2*round, firstRound), len(batch))
		ids = ids[:0]
		clear(at)
		for i := range round {
			ids = append(ids, batch[i].ID)
			at[batch[i].ID] = i
		}
		args[0] = jsonList(ids)
		if err := sr.admitRows(ctx, st, args, batch, at, top); err != nil {
			return err
		}
		batch = batch[round:]
	}
}

func (sr *searcher) admitRows(ctx context.Context, st *sql.Stmt, args []any, batch []repertoire.Hit, at map[int64]int, top *topK) error {
	return sr.readRowsSavers(ctx, st, args, func(e repertoire.Entry) error {
		i, ok := at[e.ID]
		if !ok {
			return errCorrupt
		}
		top.add(batch[i])
		return nil
	})
}

// readRowsSavers keeps the entry rows a statement reads with their savers
// (entryColumns, then saversColumn), and hands each to each when not nil.
func (sr *searcher) readRowsSavers(ctx context.Context, st *sql.Stmt, args []any, each func(repertoire.Entry) error) error {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var savers string
	for rows.Next() {
		e, err := scanEntry(rows, &savers)
		if err != nil {
			return err
		}
		if err := sr.keepRowSavers(e, savers); err != nil {
			return err
		}
		if each != nil {
			if err := each(e); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// keepRow remembers an entry row read in full by this search, without
// its savers.
func (sr *searcher) keepRow(e repertoire.Entry) {
	if sr.rows == nil {
		sr.rows = map[int64]repertoire.Entry{}
	}
	if _, ok := sr.rows[e.ID]; !ok {
		sr.rows[e.ID] = e
	}
}

// saversColumn reads an entry's savers with its row, as loadHitSavers
// does (by time saved, then user ID), as a JSON list of [id, name]:
// one statement less for a search whose rows all come with it.
const saversColumn = `(SELECT json_group_array(json_array(user_id, user_name) ORDER BY saved_at, user_id)
	FROM savers WHERE entry_id = e.id)`

// keepRowSavers remembers an entry row read with its savers (saversColumn).
func (sr *searcher) keepRowSavers(e repertoire.Entry, savers string) error {
	if savers != "[]" {
		var list [][2]string
		if err := json.Unmarshal([]byte(savers), &list); err != nil {
			return fmt.Errorf("read savers: %w", err)
		}
		for _, p := range list {
			e.Savers = append(e.Savers, repertoire.Person{ID: p[0], Name: p[1]})
		}
	}
	if sr.rows == nil {
		sr.rows = map[int64]repertoire.Entry{}
	}
	if sr.withSavers == nil {
		sr.withSavers = map[int64]bool{}
	}
	sr.rows[e.ID], sr.withSavers[e.ID] = e, true
	return nil
}

// fillHits gives each hit its entry row, keeping the score and coverage
// the search computed: the rows this search read already, the others in
// one statement (each hit passed the visibility and filter clause in this
// transaction).
func (sr *searcher) fillHits(ctx context.Context, hits []repertoire.Hit) error {
	var missing []int64
	for i := range hits {
		if _, ok := sr.rows[hits[i].ID]; !ok {
			missing = append(missing, hits[i].ID)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
		st, err := sr.prepared(ctx, `SELECT `+entryColumns+`, `+saversColumn+`
			FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value`)
		if err != nil {
			return err
		}
		if err := sr.readRowsSavers(ctx, st, []any{jsonList(missing)}, nil); err != nil {
			return err
		}
	}
	for i := range hits {
		e, ok := sr.rows[hits[i].ID]
		if !ok && sr.allVisible {
			return errUnchecked
		}
		if !ok {
			return errCorrupt // admitted, yet gone within the transaction
		}
		hits[i].Entry = e
	}
	return nil
}
