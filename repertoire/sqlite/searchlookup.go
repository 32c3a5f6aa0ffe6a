package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"
	"sort"
)

// stemFigures is what the index knows of one stem before its postings are
// read: its merged and pending postings counted together (df), the
// largest bound and prior among them, the pending ones alone, and its top
// list's cut (0 without one).
type stemFigures struct {
	df       int64
	merged   int64 // of df, in chunks
	ub, pmax float64
	info     stemInfo
}

// lookupQuery reads the index totals and the figures of every stem asked
// (a JSON list of distinct stems, ?1), a row each (a row of totals alone
// for an empty list): one statement for what took one for the totals and
// one for each word. A stem of at most ?2 merged postings comes with its
// chunks, a row each (header and data, kind 1), so that its list costs
// no statement of its own: a rare word's list is a chunk or two, cheaper
// to read than the two statements, headers and data, a cursor would run.
// No ORDER BY (a sort would copy the chunks): lookupStems takes the rows
// in any order.
const lookupQuery = `SELECT 0, s.n, s.sum_q, s.sum_a, s.sum_t, s.bound_q, s.bound_a, s.bound_t, s.pending,
		j.key, t.df, t.ub, t.pmax,
		(SELECT count(*) FROM search_pending WHERE term = j.value),
		(SELECT max(bound) FROM search_pending WHERE term = j.value),
		(SELECT max(pmax) FROM search_pending WHERE term = j.value),
		(SELECT cut FROM search_top WHERE term = j.value),
		NULL, NULL, NULL, NULL, NULL
	FROM search_stats s
	LEFT JOIN json_each(?1) AS j
	LEFT JOIN search_terms t ON t.term = j.value
	WHERE s.id = 1
	UNION ALL
	SELECT 1, 0, 0, 0, 0, 0, 0, 0, 0, j.key, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		c.id, c.first, c.last, c.bound, c.data
	FROM json_each(?1) AS j CROSS JOIN search_postings c ON c.term = j.value
	WHERE coalesce((SELECT df FROM search_terms WHERE term = j.value), 0) <= ?2`

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
	// Each stem once (two words may share one).
	var distinct []string
	at := make(map[string]int, len(stems))
	for _, st := range stems {
		if _, ok := at[st]; !ok {
			at[st] = len(distinct)
			distinct = append(distinct, st)
		}
	}
	query, args := lookupQuery, []any{jsonList(distinct), sr.shortList}
	if sr.scopeCheck {
		query, args = lookupQuery+scopesPart(sr.visibilitySQL), append(args, sr.visibilityArgs...)
	}
	st, err := sr.prepared(ctx, query)
	if err != nil {
		return nil, false, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	figs := make([]stemFigures, len(distinct))
	chunks := make([]*shortList, len(distinct))
	seen := false
	var (
		kind          int
		totals        indexStats
		key           sql.NullInt64
		df, pn        sql.NullInt64
		ub, pmax      sql.NullFloat64
		pbound, ppmax sql.NullFloat64
		cut           sql.NullFloat64
		row, first    sql.NullInt64
		last          sql.NullInt64
		bound         sql.NullFloat64
		data          sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&kind, &totals.n, &totals.sum[0], &totals.sum[1], &totals.sum[2], &totals.bound[0], &totals.bound[1], &totals.bound[2], &totals.pending,
			&key, &df, &ub, &pmax, &pn, &pbound, &ppmax, &cut, &row, &first, &last, &bound, &data); err != nil {
			return nil, false, err
		}
		i := key.Int64
		if key.Valid && (i < 0 || i >= int64(len(distinct))) {
			return nil, false, errCorrupt
		}
		if kind == scopesRow {
			sr.allVisible = totals.n != 0
			continue
		}
		if kind == 1 {
			if chunks[i] == nil {
				chunks[i] = &shortList{}
			}
			l := chunks[i]
			l.heads = append(l.heads, chunkHead{row: row.Int64, first: first.Int64, last: last.Int64, bound: bound.Float64})
			l.data = append(l.data, bytes.Clone(data))
			continue
		}
		seen = true
		sr.stats = totals
		if !key.Valid {
			continue // no stem asked
		}
		// As the merged postings and the pending ones added up: counts
		// summed, bounds (never negative) at their largest.
		figs[i] = stemFigures{
			df:     df.Int64 + pn.Int64,
			merged: df.Int64,
			ub:     max(ub.Float64, pbound.Float64),
			pmax:   max(pmax.Float64, ppmax.Float64),
			info:   stemInfo{pending: pn.Int64, cut: cut.Float64},
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if !seen {
		return nil, false, errors.New("read search totals: no row")
	}
	// A short stem's chunks (none when all its postings are pending), in
	// ID order.
	for i, st := range distinct {
		if figs[i].merged > sr.shortList {
			if chunks[i] != nil {
				return nil, false, errCorrupt // the statement said otherwise
			}
			continue
		}
		l := chunks[i]
		if l == nil {
			l = &shortList{}
		}
		if !sort.IsSorted(l) {
			sort.Sort(l)
		}
		if sr.short == nil {
			sr.short = map[string]*shortList{}
		}
		sr.short[st] = l
	}
	out := make([]stemFigures, len(stems))
	for i, st := range stems {
		out[i] = figs[at[st]]
	}
	return out, sr.stats.n > 0, nil
}

// shortList sorts by first entry ID.
func (l *shortList) Len() int           { return len(l.heads) }
func (l *shortList) Less(i, j int) bool { return l.heads[i].first < l.heads[j].first }
func (l *shortList) Swap(i, j int) {
	l.heads[i], l.heads[j] = l.heads[j], l.heads[i]
	l.data[i], l.data[j] = l.data[j], l.data[i]
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
