package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// The merge: a member's save leaves its postings in search_pending (one row
// per stem, cheap to write); a background goroutine moves them into the
// stems' chunks, mergeStems stems per transaction so the write lock is
// never held long, once more than mergeAt rows wait. Searches read both,
// so a search sees the same postings before, during and after a merge.

const (
	// defaultMergeAt is how many pending rows wake the merge: about 600
	// saves of ordinary length.
	defaultMergeAt = 32 << 10
	// mergeStems bounds the stems one merge transaction moves.
	mergeStems = 1024
)

// mergeStep moves the pending postings of up to maxStems stems into their
// chunks in one write transaction and reports how many stems it moved.
func (s *Store) mergeStep(ctx context.Context, maxStems int) (int, error) {
	var n int
	err := s.tx(ctx, "", func(tx *sql.Tx) error {
		var err error
		n, err = mergeSome(ctx, tx, maxStems, s.chunk)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("merge search index: %w", err)
	}
	return n, nil
}

// mergePending moves every pending posting into the chunks, a bounded
// number of stems per transaction.
func (s *Store) mergePending(ctx context.Context) error {
	for {
		n, err := s.mergeStep(ctx, mergeStems)
		if err != nil || n == 0 {
			return err
		}
	}
}

// mergeLoop runs the merge each time a save wakes it, until ctx ends.
func (s *Store) mergeLoop(ctx context.Context) {
	defer close(s.mergeDone)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.mergeKick:
		}
		if err := s.mergePending(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("merging the search index", "err", err)
		}
	}
}

// wakeMerge asks the merge to run when pending rows are past the
// threshold; it never waits.
func (s *Store) wakeMerge(pending int64) {
	if s.mergeKick == nil || s.mergeAt <= 0 || pending < int64(s.mergeAt) {
		return
	}
	select {
	case s.mergeKick <- struct{}{}:
	default: // already woken
	}
}

// mergeSome moves the pending postings of the first maxStems stems (in
// stem order) into their chunks.
func mergeSome(ctx context.Context, tx *sql.Tx, maxStems, chunk int) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT term, id, data FROM search_pending
		WHERE term IN (SELECT DISTINCT term FROM search_pending ORDER BY term LIMIT ?) ORDER BY term, id`, maxStems)
	if err != nil {
		return 0, err
	}
	add := map[string][]posting{}
	var stems []string
	var moved int64
	for rows.Next() {
		var term string
		var id int64
		var data []byte
		if err := rows.Scan(&term, &id, &data); err != nil {
			rows.Close()
			return 0, err
		}
		ps, err := decodeChunk(id, data, nil)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if _, ok := add[term]; !ok {
			stems = append(stems, term)
		}
		add[term] = append(add[term], ps...)
		moved++
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(stems) == 0 {
		return 0, err
	}
	sort.Strings(stems)
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return 0, err
	}
	fw, err := newFoldWriter(ctx, tx, st.bound, chunk)
	if err != nil {
		return 0, err
	}
	defer fw.close()
	rest, err := fw.appendAll(ctx, tx, stems, nil, add)
	if err != nil {
		return 0, err
	}
	for _, term := range rest {
		if err := fw.apply(ctx, term, nil, add[term]); err != nil {
			return 0, fmt.Errorf("stem %q: %w", term, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE term IN (SELECT value FROM json_each(?))`, jsonList(stems)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET pending = pending - ? WHERE id = 1`, moved); err != nil {
		return 0, err
	}
	return len(stems), nil
}
