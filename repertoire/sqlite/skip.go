package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// A chunk's skip list (search_postings.skip, migration 0030) is, for each
// of its postings in ID order, the ID minus the previous posting's (the
// chunk's first ID for the first, so 0) as an unsigned varint, then one
// byte q bounding the posting's bound (foldWriter.postingBound): below
// skipTop, the bound is under q/skipScale; skipTop says only the chunk's
// bound holds. It lives in the headers' index, so a search walks a
// list's entries and their bounds without reading the postings (about a
// sixth of the bytes) and reads a chunk only for an entry that may still
// reach the top k. The format grows at its end, as a chunk's does.

const (
	skipScale = 64
	skipTop   = 255
)

// skipQ is the byte that bounds a posting bound b: floor(b×skipScale)+1 is
// above b×skipScale (exact: skipScale is a power of two).
func skipQ(b float64) byte {
	x := b * skipScale
	if !(x < skipTop-1) {
		return skipTop
	}
	return byte(math.Floor(x)) + 1
}

// skipBound is the bound q stands for, in a chunk of bound chunk.
func skipBound(q byte, chunk float64) float64 {
	if q == skipTop {
		return chunk
	}
	return min(float64(q)/skipScale, chunk)
}

// appendSkip appends the skip entries of ps (ascending, all above prev) to
// b, the skip list of a chunk whose last posting is entry prev (its first
// ID, for an empty one); bound gives a posting's bound.
func appendSkip(b []byte, prev int64, ps []posting, bound func(posting) float64) []byte {
	for _, p := range ps {
		b = binary.AppendUvarint(b, uint64(p.ID-prev))
		b = append(b, skipQ(bound(p)))
		prev = p.ID
	}
	return b
}

// chunkSkip is the skip list of a whole chunk.
func (fw *foldWriter) chunkSkip(ps []posting) []byte {
	return appendSkip(make([]byte, 0, 2*len(ps)), ps[0].ID, ps, fw.postingBound)
}

// skipNext reads the skip entry at the start of b, after entry prev, and
// returns its ID, its byte and the rest of b.
func skipNext(b []byte, prev int64) (int64, byte, []byte, error) {
	d, n := binary.Uvarint(b)
	if n <= 0 || n >= len(b) {
		return 0, 0, nil, errCorrupt
	}
	return prev + int64(d), b[n], b[n+1:], nil
}

// Filling the skip lists of chunks written before migration 0030: the
// first write transaction looks at fillFirst chunks, later ones as many
// as take about layTx (at most fillMost), each followed by a pause as long
// (at least mergeYield), so a bot saving meanwhile waits little.
const (
	fillFirst = 256
	fillMost  = 16384
)

// fillSkips writes the skip list of every chunk that has none, in rowid
// order from where the last fill stopped (search_skip_fill), and reports
// how many it wrote. Once it reaches the end it has nothing left to do,
// ever: chunks are written with their skip lists.
func (s *Store) fillSkips(ctx context.Context) (int, error) {
	filled, step := 0, fillFirst
	var left int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM search_skip_fill`).Scan(&left); err != nil || left == 0 {
		return 0, err
	}
	for {
		var took time.Duration
		done, seen, n := false, 0, 0
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			var after int64
			err := tx.QueryRowContext(ctx, `SELECT after FROM search_skip_fill WHERE id = 1`).Scan(&after)
			if errors.Is(err, sql.ErrNoRows) {
				done = true
				return nil
			}
			if err != nil {
				return err
			}
			n, seen, after, err = fillSomeSkips(ctx, tx, after, step)
			if err != nil {
				return err
			}
			if after == math.MaxInt64 {
				_, err = tx.ExecContext(ctx, `DELETE FROM search_skip_fill`)
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE search_skip_fill SET after = ? WHERE id = 1`, after)
			}
			return err
		})
		if err != nil {
			return filled, fmt.Errorf("fill search skip lists: %w", err)
		}
		if done {
			return filled, nil
		}
		filled += n
		step = nextStep(step, max(seen, 1), took, layTx, fillMost)
		if err := sleepFor(ctx, max(took, mergeYield)); err != nil {
			return filled, err
		}
	}
}

// fillSomeSkips fills the skip lists missing among the limit chunks after
// rowid after, and returns how many it wrote, how many it looked at and
// the last rowid it looked at (math.MaxInt64 at the end of the table).
func fillSomeSkips(ctx context.Context, tx *sql.Tx, after int64, limit int) (int, int, int64, error) {
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return 0, 0, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, first, skip IS NULL, CASE WHEN skip IS NULL THEN data END
		FROM search_postings WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return 0, 0, 0, err
	}
	type fill struct {
		id   int64
		skip []byte
	}
	var todo []fill
	fw := &foldWriter{bound: st.bound}
	var ps []posting
	seen := 0
	for rows.Next() {
		var id, first int64
		var missing bool
		var data []byte
		if err := rows.Scan(&id, &first, &missing, &data); err != nil {
			rows.Close()
			return 0, 0, 0, err
		}
		seen++
		after = id
		if !missing {
			continue
		}
		if ps, err = decodeChunk(first, data, ps); err != nil {
			rows.Close()
			return 0, 0, 0, err
		}
		todo = append(todo, fill{id, fw.chunkSkip(ps)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, 0, err
	}
	if seen < limit {
		after = math.MaxInt64
	}
	if len(todo) == 0 {
		return 0, seen, after, nil
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE search_postings SET skip = ? WHERE id = ?`)
	if err != nil {
		return 0, 0, 0, err
	}
	defer upd.Close()
	for _, f := range todo {
		if _, err := upd.ExecContext(ctx, f.skip, f.id); err != nil {
			return 0, 0, 0, err
		}
	}
	return len(todo), seen, after, nil
}
