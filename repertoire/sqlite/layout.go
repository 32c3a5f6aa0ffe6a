package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// A search reads a stem's chunks in runs, and a run whose chunks lie on
// consecutive rowids is one range of the table (readspan.go): one seek,
// then the rows in turn, two or three chunks to a page. A fold writes a
// chunk when it fills, so an import interleaves the chunks of the stems
// that fill at the same pace: at 1M entries, most stems of 10 to 1,000
// chunks had a rowid gap between nearly every two of their chunks, and a
// run of them took a seek and a page per chunk. layChunks (run by
// Optimize) moves each such stem's chunks, in order, onto new consecutive
// rowids at the end of the table. Only the rowids change: the chunks, the
// headers a search reads and what it finds are the same.

const (
	// layFirst is the chunks the first step moves; later steps are sized
	// to take about layTx, at most layMost chunks.
	layFirst = 512
	layTx    = 40 * time.Millisecond
	layMost  = 16384
)

// scatteredStems lists the stems whose chunks fall in more runs of
// consecutive rowids (in the order of their first IDs) than one, plus one
// per maxRun chunks (a stem a merge added a chunk or two to since it was
// laid out is left as it is), with their chunk counts, in stem order.
func scatteredStems(ctx context.Context, db *sql.DB) (stems []string, chunks []int, err error) {
	rows, err := db.QueryContext(ctx, `SELECT term, id FROM search_postings INDEXED BY search_postings_head ORDER BY term, first`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var term string
	var n, runs int
	var last int64
	done := func() {
		if n > 0 && runs > 1+n/maxRun {
			stems, chunks = append(stems, term), append(chunks, n)
		}
	}
	for rows.Next() {
		var t string
		var id int64
		if err := rows.Scan(&t, &id); err != nil {
			return nil, nil, err
		}
		if t != term {
			done()
			term, n, runs = t, 0, 0
		}
		if n == 0 || id != last+1 {
			runs++
		}
		n++
		last = id
	}
	done()
	return stems, chunks, rows.Err()
}

// layChunks moves the chunks of each scattered stem onto consecutive
// rowids, a few stems per write transaction, each followed by a pause as
// long (at least mergeYield); it reports how many chunks it moved.
func (s *Store) layChunks(ctx context.Context) (int, error) {
	stems, chunks, err := scatteredStems(ctx, s.r)
	if err != nil {
		return 0, fmt.Errorf("lay out search postings: %w", err)
	}
	moved, step := 0, layFirst
	for len(stems) > 0 {
		// At least one stem a step, however many chunks it has.
		n, size := 1, chunks[0]
		for n < len(stems) && size+chunks[n] <= step {
			size += chunks[n]
			n++
		}
		var took time.Duration
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			return moveStems(ctx, tx, stems[:n])
		})
		if err != nil {
			return moved, fmt.Errorf("lay out search postings: %w", err)
		}
		moved += size
		stems, chunks = stems[n:], chunks[n:]
		step = nextStep(step, size, took, layTx, layMost)
		if err := sleepFor(ctx, max(took, mergeYield)); err != nil {
			return moved, err
		}
	}
	return moved, nil
}

// layPiece is the chunks moveStems holds in memory at once: a stem's
// chunks are moved a piece at a time, so that moving the longest (at 10M
// entries, a word in nearly every entry: hundreds of MB of chunks) takes
// no more memory than a short one.
const layPiece = 256

// moveStems moves each stem's chunks, in the order of their first IDs,
// onto new rowids at the end of the table, a piece at a time: a piece's
// chunks are deleted (the index on (term, first, last, bound) is unique),
// then inserted again. Each insertion takes the rowid after the largest,
// so the stem's chunks end up consecutive; the next piece is read past
// the last first ID moved.
func moveStems(ctx context.Context, tx *sql.Tx, stems []string) error {
	type chunk struct {
		id, first, last int64
		bound           float64
		data, skip      []byte
	}
	sel, err := tx.PrepareContext(ctx, `SELECT id, first, last, bound, data, skip FROM search_postings
		WHERE term = ? AND first > ? ORDER BY first LIMIT ?`)
	if err != nil {
		return err
	}
	defer sel.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM search_postings WHERE id = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO search_postings (term, first, last, bound, data, skip) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var cs []chunk
	for _, stem := range stems {
		after := int64(math.MinInt64)
		for {
			cs = cs[:0]
			rows, err := sel.QueryContext(ctx, stem, after, layPiece)
			if err != nil {
				return err
			}
			for rows.Next() {
				var c chunk
				if err := rows.Scan(&c.id, &c.first, &c.last, &c.bound, &c.data, &c.skip); err != nil {
					rows.Close()
					return err
				}
				cs = append(cs, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(cs) == 0 {
				break
			}
			for _, c := range cs {
				if _, err := del.ExecContext(ctx, c.id); err != nil {
					return err
				}
			}
			for _, c := range cs {
				if _, err := ins.ExecContext(ctx, stem, c.first, c.last, c.bound, c.data, c.skip); err != nil {
					return err
				}
			}
			after = cs[len(cs)-1].first
		}
	}
	return nil
}
