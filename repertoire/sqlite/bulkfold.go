package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// A fold of many new entries (an import, a corpus written by direct SQL,
// the background merge) appends postings to the end of each stem's list.
// The chunk format is a run of deltas, so a stem's last chunk grows at its
// end without being decoded (repertoire.AppendChunk): tailCache keeps each
// stem's open last chunk and its search_terms row in memory across the
// passes of one fold, writes a chunk once when it fills, and writes the
// open ones and the terms when the fold ends (flush), before the
// transaction commits. The layout is the one an all-at-once merge gives:
// a stem's chunks hold chunkSize postings each, its last one up to that.

// tailBudget bounds the bytes of open chunks a fold keeps in memory; past
// it, they are written out and forgotten (read again if needed).
const tailBudget = 48 << 20

// stemTail is one stem's search_terms row and open last chunk.
type stemTail struct {
	df        int64
	ub, pmax  float64
	termDirty bool

	// last is the stem's highest entry ID in the chunks (0: none).
	last int64
	// The open chunk: n postings (0: none open) from first to last, their
	// largest bound and data. stored: a row (term, first) holds an
	// earlier version of it, rowid row; dirty: data has grown since it was
	// read or written.
	row           int64
	first         int64
	n             int
	bound         float64
	data          []byte
	skip          []byte // its skip list (skip.go)
	stored, dirty bool

	// added is how many postings the last pass added (a size hint).
	added int
}

// tailCache is a fold's stems kept in memory; see above.
type tailCache struct {
	chunk int
	// step is the entries a pass folds (foldStep; fewer in tests), budget
	// the bytes of open chunks kept (tailBudget; fewer in tests).
	step, budget int
	bound        [3]float64
	stems        map[string]*stemTail
	bytes        int

	ins, upd, putTerm *sql.Stmt
}

func newTailCache(chunk int) *tailCache {
	return &tailCache{chunk: chunk, step: foldStep, budget: tailBudget, stems: map[string]*stemTail{}}
}

func (tc *tailCache) close() {
	for _, st := range []*sql.Stmt{tc.ins, tc.upd, tc.putTerm} {
		if st != nil {
			st.Close()
		}
	}
	tc.ins, tc.upd, tc.putTerm = nil, nil, nil
}

func (tc *tailCache) prepare(ctx context.Context, tx foldTx) error {
	if tc.ins != nil {
		return nil
	}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&tc.ins, `INSERT INTO search_postings (term, first, last, bound, data, skip) VALUES (?, ?, ?, ?, ?, ?)`},
		// By rowid: one row, so SQLite needs no statement journal.
		{&tc.upd, `UPDATE search_postings SET last = ?, bound = ?, data = ?, skip = ? WHERE id = ?`},
		{&tc.putTerm, `INSERT OR REPLACE INTO search_terms (term, df, ub, pmax) VALUES (?, ?, ?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			tc.close()
			return err
		}
		*p.st = st
	}
	return nil
}

// load reads the term rows and last chunks of the stems not in the cache.
func (tc *tailCache) load(ctx context.Context, tx foldTx, stems []string) error {
	var missing []string
	for _, s := range stems {
		if tc.stems[s] == nil {
			missing = append(missing, s)
			tc.stems[s] = &stemTail{}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	list := jsonList(missing)
	rows, err := tx.QueryContext(ctx, `SELECT term, df, ub, pmax FROM search_terms WHERE term IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return err
	}
	for rows.Next() {
		var term string
		var df int64
		var ub, pmax float64
		if err := rows.Scan(&term, &df, &ub, &pmax); err != nil {
			rows.Close()
			return err
		}
		st := tc.stems[term]
		st.df, st.ub, st.pmax = df, ub, pmax
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT p.term, p.id, p.first, p.last, p.bound, p.data, p.skip FROM json_each(?) AS j
		JOIN search_postings p ON p.term = j.value
			AND p.first = (SELECT first FROM search_postings WHERE term = j.value ORDER BY first DESC LIMIT 1)`, list)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		var row, first, last int64
		var bound float64
		var data, skip []byte
		if err := rows.Scan(&term, &row, &first, &last, &bound, &data, &skip); err != nil {
			return err
		}
		n, err := repertoire.ChunkLen(data)
		if err != nil {
			return fmt.Errorf("stem %q: %w", term, err)
		}
		st := tc.stems[term]
		st.last = last
		if n < tc.chunk {
			if skip == nil { // written before skip lists
				ps, err := decodeChunk(first, data, nil)
				if err != nil {
					return fmt.Errorf("stem %q: %w", term, err)
				}
				skip = appendSkip(nil, first, ps, tc.postingBound)
			}
			st.row, st.first, st.n, st.bound, st.data, st.skip, st.stored = row, first, n, bound, data, skip, true
			tc.bytes += len(data) + len(skip)
		}
	}
	return rows.Err()
}

// postingBound is foldWriter.postingBound at the cache's averages.
func (tc *tailCache) postingBound(p posting) float64 {
	return postingBoundAt(p, tc.bound)
}

// sizeHint is how many postings a pass may add to a stem: about as many
// as the last one did.
func (tc *tailCache) sizeHint(term string) int {
	if st := tc.stems[term]; st != nil {
		return st.added + st.added/8 + 1
	}
	return 1
}

// add appends ps (ascending, all after the stem's last ID) to the stem.
func (tc *tailCache) add(ctx context.Context, tx foldTx, term string, st *stemTail, ps []posting) error {
	st.df += int64(len(ps))
	st.added = len(ps)
	for _, p := range ps {
		st.ub = max(st.ub, tc.postingBound(p))
		st.pmax = max(st.pmax, repertoire.PriorOf(p.Prior, false))
	}
	st.termDirty = true
	for len(ps) > 0 {
		k := min(tc.chunk-st.n, len(ps))
		prev := st.last
		if st.n == 0 {
			st.first, prev, st.bound, st.stored = ps[0].ID, ps[0].ID, 0, false
		}
		before := len(st.data) + len(st.skip)
		st.data = repertoire.AppendChunk(st.data, prev, ps[:k])
		st.skip = appendSkip(st.skip, prev, ps[:k], tc.postingBound)
		tc.bytes += len(st.data) + len(st.skip) - before
		for _, p := range ps[:k] {
			st.bound = max(st.bound, tc.postingBound(p))
		}
		st.n += k
		st.last = ps[k-1].ID
		st.dirty = true
		ps = ps[k:]
		if st.n == tc.chunk { // full: written once, never read again by this fold
			if err := tc.write(ctx, tx, term, st); err != nil {
				return err
			}
			tc.bytes -= len(st.data) + len(st.skip)
			st.n, st.data, st.skip, st.stored = 0, st.data[:0], st.skip[:0], false
		}
	}
	return nil
}

// write stores a stem's open chunk if it has grown.
func (tc *tailCache) write(ctx context.Context, tx foldTx, term string, st *stemTail) error {
	if !st.dirty || st.n == 0 {
		return nil
	}
	if err := tc.prepare(ctx, tx); err != nil {
		return err
	}
	if st.stored {
		if _, err := tc.upd.ExecContext(ctx, st.last, st.bound, st.data, st.skip, st.row); err != nil {
			return err
		}
	} else {
		res, err := tc.ins.ExecContext(ctx, term, st.first, st.last, st.bound, st.data, st.skip)
		if err != nil {
			return err
		}
		if st.row, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	st.stored, st.dirty = true, false
	return nil
}

// writeStem stores a stem's open chunk and its search_terms row.
func (tc *tailCache) writeStem(ctx context.Context, tx foldTx, term string, st *stemTail) error {
	if err := tc.write(ctx, tx, term, st); err != nil {
		return err
	}
	if !st.termDirty {
		return nil
	}
	if err := tc.prepare(ctx, tx); err != nil {
		return err
	}
	if _, err := tc.putTerm.ExecContext(ctx, term, st.df, st.ub, st.pmax); err != nil {
		return err
	}
	st.termDirty = false
	return nil
}

// evict writes a stem's state and forgets it, so that what comes next
// (foldWriter.apply) reads the stem from the tables.
func (tc *tailCache) evict(ctx context.Context, tx foldTx, term string) error {
	st := tc.stems[term]
	if st == nil {
		return nil
	}
	if err := tc.writeStem(ctx, tx, term, st); err != nil {
		return err
	}
	tc.bytes -= len(st.data) + len(st.skip)
	delete(tc.stems, term)
	return nil
}

// flush writes every stem's state, in stem order (the index's).
func (tc *tailCache) flush(ctx context.Context, tx foldTx) error {
	terms := make([]string, 0, len(tc.stems))
	for s := range tc.stems {
		terms = append(terms, s)
	}
	sort.Strings(terms)
	for _, s := range terms {
		if err := tc.writeStem(ctx, tx, s, tc.stems[s]); err != nil {
			return fmt.Errorf("stem %q: %w", s, err)
		}
	}
	return nil
}

// trim writes and forgets everything once the open chunks pass the
// budget.
func (tc *tailCache) trim(ctx context.Context, tx foldTx) error {
	if tc.bytes <= tc.budget {
		return nil
	}
	if err := tc.flush(ctx, tx); err != nil {
		return err
	}
	clear(tc.stems)
	tc.bytes = 0
	return nil
}

// backlogPasses is the passes of foldStep entries one transaction of
// foldBacklog takes.
const backlogPasses = 20

// foldBacklog folds the entries written by other means when the store
// opens, backlogPasses passes per transaction (100,000 entries): a stopped
// open resumes from its last commit, and the log is checkpointed between
// transactions, so it holds one transaction's pages, not the whole index.
func (s *Store) foldBacklog(ctx context.Context) error {
	for {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		n, err := foldPasses(ctx, tx, newTailCache(s.chunk), backlogPasses)
		if err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if n < backlogPasses*foldStep {
			return nil
		}
		if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
}
