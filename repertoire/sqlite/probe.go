package sqlite

import (
	"context"
	"database/sql"
)

// A probe asks a list for one entry, far from where its cursor is: the
// entries a walk brings are spread over the whole ID range, so a long
// list probed for a few of them would fetch a batch of headers (up to
// maxHeadBatch rows) and then the chunk, two statements, for each. probeTo
// fetches the chunk holding the entry, header and postings, in one
// statement of one row instead, when the entry lies more than two chunks
// past the headers fetched; nearer, the probes are dense and the batched
// headers and runs of chunks serve them better.

// probeQuery reads the chunk of table holding ?2, or the first after it.
// A chunk with a skip list (skip.go) is probed in its index entry alone:
// the postings are read (stemCursor.read) only when the list holds the
// entry and it may still reach the top k; SQLite seeks the table row only
// for a column it reads (a deferred seek), so data is read only without.
func probeQuery(table, skip string) string {
	return `SELECT id, first, last, bound, ` + skip + `, CASE WHEN ` + skip + ` IS NULL THEN data END FROM ` + table + ` WHERE term = ?1
		AND first >= coalesce((SELECT max(first) FROM ` + table + ` WHERE term = ?1 AND first <= ?2), ?2)
		AND last >= ?2 ORDER BY first LIMIT 1`
}

// probeTo moves the cursor to the first posting at or after id, as
// advanceTo does.
func (c *stemCursor) probeTo(ctx context.Context, id int64) error {
	if id <= c.at || c.list == nil || c.mem != nil || c.mems != nil || c.done || len(c.heads) == 0 {
		return c.advanceTo(ctx, id)
	}
	// Dense: id within two chunks' span (on average over those fetched)
	// past the last header fetched.
	last := c.heads[len(c.heads)-1]
	if id <= last.last || (id-last.last)*int64(len(c.heads)) <= 2*(last.last-c.heads[0].first+1) {
		return c.advanceTo(ctx, id)
	}
	st, err := c.sr.prepared(ctx, c.list.probe)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, c.term, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.at, c.h, c.loaded, c.skH = id, 0, -1, 0
	c.heads = c.heads[:0]
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		c.done = true // no chunk holds id or anything after it
		return nil
	}
	// The row's skip list and postings are copied into the cursor's
	// buffers: nothing points into them any more (the headers fetched
	// and the chunks read ahead are dropped here, and the chunk being
	// decoded with them).
	var hd chunkHead
	var skip, data sql.RawBytes
	if err := rows.Scan(&hd.row, &hd.first, &hd.last, &hd.bound, &skip, &data); err != nil {
		return err
	}
	if skip != nil {
		c.skips = append(c.skips[:0], skip...)
		hd.skip = c.skips[:len(c.skips):len(c.skips)]
	}
	c.heads = append(c.heads, hd)
	if c.ahead == nil {
		c.ahead = map[int64][]byte{}
	}
	clear(c.ahead)
	if data != nil {
		c.buf = append(c.buf[:0], data...)
		c.ahead[hd.row] = c.buf[:len(c.buf):len(c.buf)]
	}
	return rows.Close()
}

// probeBefore orders lists for MaxScore, a (of bound ua) before b (of
// bound ub): the lists probed only are the longest prefix of the order
// whose bounds add up below the k-th score, and every entry of the others
// is walked. Any order is exact; the cheapest leaves the most postings
// unwalked for the bound it spends, so lists go by bound per posting,
// ascending (by bound alone, two words that each fall short of the k-th
// score would walk the longer list and probe the shorter one).
func probeBefore(ua float64, a *termCursor, ub float64, b *termCursor) bool {
	return ua*b.length() < ub*a.length()
}

// length is about how many postings the list holds.
func (tc *termCursor) length() float64 {
	n := max(tc.t.DocFreq, 1)
	if tc.isTop {
		n /= defaultTopShare
	}
	return n
}
