package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"
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
	// mergeStems bounds the stems one merge transaction moves. The
	// background merge's first transaction moves mergeFirst postings, the
	// next ones are sized to take mergeTx, from mergeLeast to mergeMaxRows.
	mergeStems   = 1024
	mergeFirst   = 256
	mergeLeast   = 64
	mergeMaxRows = 64 << 10
	mergeTx      = 40 * time.Millisecond
)

// mergeStep moves at most n pending postings of at most n stems into their
// chunks in one write transaction (the last stem's in part, often) and
// reports how many stems it moved into.
func (s *Store) mergeStep(ctx context.Context, n int) (int, error) {
	err := s.tx(ctx, "", func(tx *sql.Tx) error {
		var err error
		n, err = mergeRows(ctx, tx, n, n, s.chunk)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("merge search index: %w", err)
	}
	return n, nil
}

// mergePending moves every pending posting into the chunks. Each
// transaction is sized in postings to take about mergeTx and is followed
// by a pause as long (at least mergeYield): another process's writer,
// polling on SQLite's busy handler, finds the lock free.
func (s *Store) mergePending(ctx context.Context) error {
	rows := mergeFirst
	for {
		var n int
		var took time.Duration // the work, not the wait for the lock
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			start := time.Now()
			var err error
			n, err = mergeRows(ctx, tx, mergeStems, rows, s.chunk)
			took = time.Since(start)
			return err
		})
		if err != nil {
			return fmt.Errorf("merge search index: %w", err)
		}
		if n == 0 {
			return nil
		}
		rows = max(mergeLeast, nextStep(rows, rows, took, mergeTx, mergeMaxRows))
		if err := sleepFor(ctx, max(took, mergeYield)); err != nil {
			return err
		}
	}
}

// nextStep sizes a bounded job's next transaction from the last one (n
// items in took) to take about target: at most twice as many as the last,
// at least half as many, never fewer than 1 or more than most.
func nextStep(size, n int, took, target time.Duration, most int) int {
	want := int(float64(n) * float64(target) / float64(max(took, time.Millisecond)))
	return max(1, min(most, 2*size, max(size/2, want)))
}

// mergeLoop runs the merge each time a save wakes it, until ctx ends, and
// after it (and once at the start) gives the stems that need one a top list.
func (s *Store) mergeLoop(ctx context.Context) {
	defer close(s.mergeDone)
	for {
		if err := s.buildTops(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("building top lists of the search index", "err", err)
		}
		if _, err := s.fillSkips(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("writing skip lists of the search index", "err", err)
		}
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
	return mergeRows(ctx, tx, maxStems, math.MaxInt32, chunk)
}

// mergeRows is mergeSome moving at most maxRows postings: the last stem's
// may move in part, its lowest IDs first (a search reads a posting from
// the chunks or from search_pending, never both). A common stem's
// postings may each rewrite a chunk, so the work is bounded by postings.
func mergeRows(ctx context.Context, tx *sql.Tx, maxStems, maxRows, chunk int) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT term, id, data FROM search_pending
		WHERE term IN (SELECT DISTINCT term FROM search_pending ORDER BY term LIMIT ?) ORDER BY term, id LIMIT ?`, maxStems, maxRows)
	if err != nil {
		return 0, err
	}
	add := map[string][]posting{}
	var stems []string
	var moved int64
	var gone []any // (term, id) pairs
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
		gone = append(gone, []any{term, id})
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
	tc := newTailCache(chunk)
	defer tc.close()
	rest, err := fw.appendAll(ctx, tx, tc, stems, nil, add)
	if err != nil {
		return 0, err
	}
	if err := tc.flush(ctx, tx); err != nil {
		return 0, err
	}
	for _, term := range rest {
		if err := fw.apply(ctx, term, nil, add[term]); err != nil {
			return 0, fmt.Errorf("stem %q: %w", term, err)
		}
	}
	if err := execJSON(ctx, tx, `DELETE FROM search_pending WHERE (term, id) IN (SELECT value->>0, value->>1 FROM json_each(?))`, gone); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET pending = pending - ? WHERE id = 1`, moved); err != nil {
		return 0, err
	}
	return len(stems), nil
}
