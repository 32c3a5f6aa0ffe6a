package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// The merge, as the SQLite store's (its searchmerge.go): a member's save
// leaves its postings in search_pending (one row per stem, cheap to write);
// a background goroutine moves them into the stems' chunks, a bounded
// number of postings per transaction, once more than merger.at rows wait.
// Each step is a write transaction under the writers' advisory lock, so
// replicas merging at once take turns with each other and with saves, and
// one step never holds the lock long. Searches read both tables in one
// snapshot, so they see the same postings before, during and after a merge.

const (
	// defaultMergeAt is how many pending rows wake the merge: a few
	// hundred saves of ordinary length.
	defaultMergeAt = 16 << 10
	// A merge step moves at most mergeStems stems; the first step of a
	// merge moves mergeFirst postings, the next ones are sized to take
	// about mergeTx, from mergeLeast to mergeMost.
	mergeStems = 1024
	mergeFirst = 512
	mergeLeast = 64
	mergeMost  = 32 << 10
	mergeTx    = 50 * time.Millisecond
	// mergeYield is the least pause between two steps: saves waiting for
	// the writers' lock go first.
	mergeYield = 5 * time.Millisecond
)

// merger is the background merge's state.
type merger struct {
	at   int // pending rows that wake the merge (0: never)
	kick chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// startMerge starts the background merge, and wakes it at once when an
// earlier process left pending rows past the threshold.
func (s *Store) startMerge() {
	if s.merge.at == 0 {
		s.merge.at = defaultMergeAt
	}
	ctx, stop := context.WithCancel(context.Background())
	s.merge.kick, s.merge.stop, s.merge.done = make(chan struct{}, 1), stop, make(chan struct{})
	go s.mergeLoop(ctx)
	if st, err := loadIndexStats(ctx, s.r); err == nil {
		s.wakeMerge(st.pending)
	}
}

// stopMerge stops the background merge and waits for it to return.
func (s *Store) stopMerge() {
	if s.merge.stop == nil {
		return
	}
	s.merge.stop()
	<-s.merge.done
	s.merge.stop = nil
}

// wakeMerge asks the merge to run when pending rows are past the
// threshold; it never waits.
func (s *Store) wakeMerge(pending int64) {
	if s.merge.kick == nil || s.merge.at <= 0 || pending < int64(s.merge.at) {
		return
	}
	select {
	case s.merge.kick <- struct{}{}:
	default: // already woken
	}
}

// mergeLoop runs the merge each time a save wakes it, until ctx ends.
func (s *Store) mergeLoop(ctx context.Context) {
	defer close(s.merge.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.merge.kick:
		}
		if err := s.mergePending(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("merging the search index", "err", err)
		}
	}
}

// mergePending moves every pending posting into the chunks, in steps sized
// to take about mergeTx each, with a pause as long between them.
func (s *Store) mergePending(ctx context.Context) error {
	rows := mergeFirst
	for {
		t0 := time.Now()
		n, err := s.mergeStep(ctx, rows)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		took := time.Since(t0)
		want := int(float64(n) * float64(mergeTx) / float64(max(took, time.Millisecond)))
		rows = max(mergeLeast, min(mergeMost, 2*rows, max(rows/2, want)))
		t := time.NewTimer(max(took, mergeYield))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// mergeStep moves at most maxRows pending postings, of at most mergeStems
// stems, into their chunks in one write transaction (the last stem's in
// part, lowest IDs first) and reports how many it moved.
func (s *Store) mergeStep(ctx context.Context, maxRows int) (int, error) {
	var moved int
	err := s.tx(ctx, "", func(tx *dbTx) error {
		var err error
		moved, err = mergeRows(ctx, tx, mergeStems, maxRows, s.chunk)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("merge search index: %w", err)
	}
	return moved, nil
}

// mergeRows moves the pending postings of the first maxStems stems (in
// stem order), at most maxRows of them, into the chunks.
func mergeRows(ctx context.Context, tx *dbTx, maxStems, maxRows, chunk int) (int, error) {
	if chunk <= 0 {
		chunk = chunkSize
	}
	rows, err := tx.QueryContext(ctx, `SELECT term, id, data FROM search_pending
		WHERE term IN (SELECT DISTINCT term FROM search_pending ORDER BY term LIMIT ?) ORDER BY term, id LIMIT ?`,
		maxStems, maxRows)
	if err != nil {
		return 0, err
	}
	changes := map[string]*stemChange{}
	var stems, terms []string
	var ids []int64
	for rows.Next() {
		var term string
		var id int64
		var data []byte
		if err := rows.Scan(&term, &id, &data); err != nil {
			rows.Close()
			return 0, err
		}
		ps, err := decodeChunk(id, data)
		if err != nil {
			rows.Close()
			return 0, err
		}
		c := changes[term]
		if c == nil {
			c = &stemChange{}
			changes[term] = c
			stems = append(stems, term)
		}
		c.add = append(c.add, ps...)
		terms, ids = append(terms, term), append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(terms) == 0 {
		return 0, err
	}
	sort.Strings(stems)
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := writeChunks(ctx, tx, stems, changes, st.bound, chunk); err != nil {
		return 0, err
	}
	for _, c := range changes {
		c.df = int64(len(c.add)) // now counted in search_terms
	}
	if err := writeTerms(ctx, tx, stems, changes); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending p USING unnest(?::text[], ?::bigint[]) AS k(term, id)
		WHERE p.term = k.term COLLATE "C" AND p.id = k.id`, terms, ids); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET pending = pending - ? WHERE id = 1`, len(terms)); err != nil {
		return 0, err
	}
	return len(terms), nil
}
