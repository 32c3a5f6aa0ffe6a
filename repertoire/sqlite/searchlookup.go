package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"
)

// stemFigures is what the index knows of one stem before its postings are
// read: its merged and pending postings counted together (df), the
// largest bound and prior among them, the pending ones alone, and its top
// list's cut (0 without one).
type stemFigures struct {
	df       int64
	ub, pmax float64
	info     stemInfo
}

// lookupQuery reads the index totals and the figures of every stem asked
// (a JSON list, ?1), in the list's order (a row of totals alone for an
// empty list): one statement for what took one for the totals and one for
// each word. A stem's pending postings are counted by one grouped read of
// search_pending over the stems asked. A stem of at most ?2 merged
// postings comes with its chunks, a row each (header and data), so that
// its list costs no statement of its own (a rare word's list is a chunk
// or two: reading them is cheaper than the two statements, headers and
// data, a cursor would run).
const lookupQuery = `SELECT s.n, s.sum_q, s.sum_a, s.sum_t, s.bound_q, s.bound_a, s.bound_t, s.pending,
		j.key, t.df, t.ub, t.pmax, p.n, p.bound, p.pmax,
		(SELECT cut FROM search_top WHERE term = j.value),
		c.id, c.first, c.last, c.bound, c.data
	FROM search_stats s
	LEFT JOIN json_each(?1) AS j
	LEFT JOIN search_terms t ON t.term = j.value
	LEFT JOIN (SELECT term, count(*) AS n, max(bound) AS bound, max(pmax) AS pmax FROM search_pending
		WHERE term IN (SELECT value FROM json_each(?1)) GROUP BY term) AS p ON p.term = j.value
	LEFT JOIN search_postings c ON c.term = j.value AND coalesce(t.df, 0) <= ?2
	WHERE s.id = 1 ORDER BY j.key, c.first`

// defaultShortList is the merged postings up to which a stem's chunks are
// read with its figures.
const defaultShortList = 1024

// shortList is a stem's chunks read whole by lookupStems.
type shortList struct {
	heads []chunkHead
	data  [][]byte
}

// lookupStems reads the index totals into sr and returns the figures of
// each stem, in order; false when the index is empty. The chunks of the
// short stems go to sr.short.
func (sr *searcher) lookupStems(ctx context.Context, stems []string) ([]stemFigures, bool, error) {
	st, err := sr.prepared(ctx, lookupQuery)
	if err != nil {
		return nil, false, err
	}
	rows, err := st.QueryContext(ctx, jsonList(stems), sr.shortList)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	figs := make([]stemFigures, len(stems))
	got := make([]bool, len(stems))
	seen := false
	var (
		totals        indexStats
		key           sql.NullInt64
		df, pn        sql.NullInt64
		ub, pmax      sql.NullFloat64
		pbound, ppmax sql.NullFloat64
		cut           sql.NullFloat64
		row           sql.NullInt64
		hd            chunkHead
		first, last   sql.NullInt64
		bound         sql.NullFloat64
		data          sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&totals.n, &totals.sum[0], &totals.sum[1], &totals.sum[2], &totals.bound[0], &totals.bound[1], &totals.bound[2], &totals.pending,
			&key, &df, &ub, &pmax, &pn, &pbound, &ppmax, &cut, &row, &first, &last, &bound, &data); err != nil {
			return nil, false, err
		}
		seen = true
		sr.stats = totals
		if !key.Valid {
			continue
		}
		i := key.Int64
		if i < 0 || i >= int64(len(figs)) {
			return nil, false, errCorrupt
		}
		if !got[i] {
			got[i] = true
			// As the merged postings and the pending ones added up:
			// counts summed, bounds (never negative) at their largest.
			figs[i] = stemFigures{
				df:   df.Int64 + pn.Int64,
				ub:   max(ub.Float64, pbound.Float64),
				pmax: max(pmax.Float64, ppmax.Float64),
				info: stemInfo{pending: pn.Int64, cut: cut.Float64},
			}
			if df.Int64 <= sr.shortList {
				// Its chunks come along, a row each (none: no chunk).
				if sr.short == nil {
					sr.short = map[string]*shortList{}
				}
				sr.short[stems[i]] = &shortList{}
			}
		}
		if row.Valid && df.Int64 <= sr.shortList {
			l := sr.short[stems[i]]
			hd = chunkHead{row: row.Int64, first: first.Int64, last: last.Int64, bound: bound.Float64}
			l.heads, l.data = append(l.heads, hd), append(l.data, bytes.Clone(data))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if !seen {
		return nil, false, errors.New("read search totals: no row")
	}
	return figs, sr.stats.n > 0, nil
}

// mainCursor is a cursor over stem's merged postings: from the chunks
// lookupStems read, or one that reads them as it goes.
func (sr *searcher) mainCursor(ctx context.Context, stem string) (*stemCursor, error) {
	l := sr.short[stem]
	if l == nil {
		return newStemCursor(ctx, sr, stem, mainList)
	}
	return &stemCursor{sr: sr, term: stem, list: mainList, at: math.MinInt64, loaded: -1, done: true,
		heads: l.heads, mems: l.data}, nil
}
