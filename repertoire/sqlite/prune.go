package sqlite

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// stemCursor walks one stem's postings in ID order. It reads the chunks'
// headers (first and last entry ID, bound) ahead from the index, in growing
// batches, and a chunk's postings by rowid only when a search needs an
// entry in it: a chunk whose
// bound cannot lift any entry into the top k is passed over unread.
type stemCursor struct {
	sr    *searcher
	term  string
	list  *listQueries // where its chunks are
	heads []chunkHead  // fetched; heads[h] is the chunk the cursor is in
	h     int
	done  bool  // no chunk after the fetched ones
	batch int   // headers the next fetch asks for
	at    int64 // the cursor is at the first posting >= at
	// The chunk being read (index loaded into heads, -1 for none): the
	// cursor passes over its postings as it moves, and decodes only the
	// one asked for (posting). The current posting (valid when atOK) is
	// entry curID, encoded from curAt on after entry curPrev, decoded
	// into cur when curOK, its positions in posBuf; rest is what follows
	// it, lastID the ID of the last posting passed.
	loaded  int
	rest    []byte
	lastID  int64
	atOK    bool
	curID   int64
	curPrev int64
	curAt   []byte
	cur     posting
	curOK   bool
	posBuf  []int32
	// decodeAll: the cursor is read posting by posting (the seed's
	// merge), each decoded as it is passed.
	decodeAll bool
	mem       []byte   // pending postings: the one chunk, held in memory
	mems      [][]byte // or every chunk's (heads all fetched): a short list lookup read
	// Postings read ahead by rowid, and how many chunks the next read
	// takes: doubled while the cursor reads chunk after chunk, one when
	// it passed over some.
	ahead   map[int64][]byte
	buf     []byte // what ahead's chunks are copied into
	run     int
	lastRow int64 // the rowid of the chunk read last
	// The skip list being walked (skip.go): that of heads[skH-1] (0:
	// none), at entry skID (valid when skOK) of byte skQ, skRest after it.
	skH    int
	skRest []byte
	skID   int64
	skQ    byte
	skOK   bool
	// skips holds the skip lists of the headers fetched last (refill).
	skips []byte
}

type chunkHead struct {
	row, first, last int64 // row: its rowid in search_postings
	bound            float64
	skip             []byte // its skip list (skip.go); nil: none
}

// listQueries read one table of chunks (search_postings, or
// search_top_postings for the top lists).
type listQueries struct {
	// heads fetches headers from the chunk holding ?3 (or the first
	// after it) on, past the ones fetched (?2).
	heads string
	data  string
	span  string // data for the chunks of rowids ?1 to ?2, every one wanted
	probe string // probeQuery
}

func newListQueries(table, skip string) *listQueries {
	return &listQueries{
		// One lower bound on first, so that the index seeks to it (of
		// two, SQLite seeks to one and filters by the other). The limit
		// is +?4, not ?4: see noReprepare.
		heads: `SELECT id, first, last, bound, ` + skip + ` FROM ` + table + ` WHERE term = ?1
		AND first >= max(?2 + 1, coalesce((SELECT max(first) FROM ` + table + ` WHERE term = ?1 AND first <= ?3), ?3))
		ORDER BY first LIMIT +?4`,
		data:  `SELECT id, data FROM ` + table + ` WHERE id IN (SELECT value FROM json_each(?))`,
		span:  `SELECT id, data FROM ` + table + ` WHERE id BETWEEN ?1 AND ?2`,
		probe: probeQuery(table, skip),
	}
}

var (
	// The top lists' index holds no skip list: the seed reads every
	// posting of them.
	mainList = newListQueries("search_postings", "skip")
	topList  = newListQueries("search_top_postings", "NULL")
)

const (
	// maxRun bounds the chunks one read of postings takes; runGap is how
	// many chunks back the one read last may be for the next read to take
	// a longer run (probes pass over a chunk now and then).
	maxRun = 16
	runGap = 3
	// maxHeadBatch bounds one fetch of headers; the first asks for 8.
	maxHeadBatch = 64
)

func newStemCursor(ctx context.Context, sr *searcher, term string, list *listQueries) (*stemCursor, error) {
	c := &stemCursor{sr: sr, term: term, list: list, at: math.MinInt64, loaded: -1, batch: 8, run: 1}
	return c, c.refill(ctx)
}

// refill fetches the next headers, from the chunk holding c.at on.
func (c *stemCursor) refill(ctx context.Context) error {
	if c.h >= len(c.heads) {
		c.heads = c.heads[:0] // its array reused (a slice past its end has no room)
	} else {
		c.heads = c.heads[c.h:]
	}
	c.h = 0
	if c.loaded >= 0 {
		c.loaded = -1 // indexes moved
	}
	c.skH = 0
	after := int64(math.MinInt64)
	if n := len(c.heads); n > 0 {
		after = c.heads[n-1].first
	}
	st, err := c.sr.prepared(ctx, c.list.heads)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, c.term, after, max(c.at, math.MinInt64+1), c.batch)
	if err != nil {
		return err
	}
	defer rows.Close()
	// The skip lists are copied from the driver's row into the cursor's
	// buffer, reused from one fetch to the next when no header of the
	// last fetch is kept (the cursor fetches once it passed them all).
	if len(c.heads) == 0 {
		c.skips = c.skips[:0]
	} else {
		c.skips = nil
	}
	n := 0
	var skip sql.RawBytes
	for rows.Next() {
		var hd chunkHead
		if err := rows.Scan(&hd.row, &hd.first, &hd.last, &hd.bound, &skip); err != nil {
			return err
		}
		if skip != nil {
			k := len(c.skips)
			c.skips = append(c.skips, skip...)
			hd.skip = c.skips[k:len(c.skips):len(c.skips)]
		}
		c.heads = append(c.heads, hd)
		n++
	}
	c.done = n < c.batch
	c.batch = min(2*c.batch, maxHeadBatch)
	return rows.Err()
}

// cursors are a stem's postings: its chunks, and its pending postings
// when some wait for the merge (an entry's posting is in one or the
// other; lookup counted them, so a stem without any costs no statement).
func (sr *searcher) cursors(ctx context.Context, term string) ([]*stemCursor, error) {
	c, err := sr.mainCursor(ctx, term)
	if err != nil {
		return nil, err
	}
	if info, known := sr.stemInfo[term]; known && info.pending == 0 {
		return []*stemCursor{c}, nil
	}
	st, err := sr.prepared(ctx, `SELECT id, bound, data FROM search_pending WHERE term = ? ORDER BY id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, term)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []posting
	var bound float64
	for rows.Next() {
		var id int64
		var b float64
		var data []byte
		if err := rows.Scan(&id, &b, &data); err != nil {
			return nil, err
		}
		one, err := decodeChunk(id, data, nil)
		if err != nil {
			return nil, err
		}
		ps = append(ps, one...)
		bound = max(bound, b)
	}
	if err := rows.Err(); err != nil || len(ps) == 0 {
		return []*stemCursor{c}, err
	}
	p := &stemCursor{sr: sr, term: term, at: math.MinInt64, loaded: -1, done: true, mem: encodeChunk(ps),
		heads: []chunkHead{{first: ps[0].ID, last: ps[len(ps)-1].ID, bound: bound}}}
	return []*stemCursor{c, p}, nil
}

// prepared returns the search's statement for query, prepared once.
func (sr *searcher) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := sr.stmts[query]; ok {
		return st, nil
	}
	st, err := sr.cache.stmt(ctx, sr.tx, query)
	if err != nil {
		return nil, err
	}
	if sr.stmts == nil {
		sr.stmts = map[string]*sql.Stmt{}
	}
	sr.stmts[query] = st
	return st, nil
}

// read returns the postings of the current chunk: read ahead, or read now
// with the next few when the cursor walks chunk after chunk.
func (c *stemCursor) read(ctx context.Context) ([]byte, error) {
	row := c.heads[c.h].row
	if data, ok := c.ahead[row]; ok {
		delete(c.ahead, row)
		c.lastRow = row
		return data, nil
	}
	// The chunk read last is one of the few before: the cursor reads
	// (most) chunks in turn, so the next run is longer; else one.
	near := false
	for i := max(c.h-runGap, 0); i < c.h; i++ {
		near = near || c.heads[i].row == c.lastRow
	}
	if near {
		c.run = min(2*c.run, maxRun)
	} else {
		c.run = 1
	}
	rowsWanted := make([]int64, 0, c.run)
	for i := c.h; i < len(c.heads) && len(rowsWanted) < c.run; i++ {
		rowsWanted = append(rowsWanted, c.heads[i].row)
	}
	rows, err := c.readRows(ctx, rowsWanted)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	clear(c.ahead)
	if c.ahead == nil {
		c.ahead = map[int64][]byte{}
	}
	// The postings are copied into the cursor's buffer, reused from one
	// read to the next: nothing holds the previous read's chunks by now
	// (the one being decoded is done with, those read ahead were cleared).
	c.buf = c.buf[:0]
	var raw sql.RawBytes
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		n := len(c.buf)
		c.buf = append(c.buf, raw...)
		c.ahead[id] = c.buf[n:len(c.buf):len(c.buf)]
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	data, ok := c.ahead[row]
	if !ok {
		return nil, errCorrupt
	}
	delete(c.ahead, row)
	c.lastRow = row
	return data, nil
}

func (c *stemCursor) ended() bool { return c.h >= len(c.heads) }

// head is the chunk the cursor is in; only when not ended.
func (c *stemCursor) head() chunkHead { return c.heads[c.h] }

// advanceTo moves the cursor to the first posting at or after id, reading
// headers only.
func (c *stemCursor) advanceTo(ctx context.Context, id int64) error {
	if id <= c.at {
		return nil
	}
	c.at = id
	for {
		for c.h < len(c.heads) && c.heads[c.h].last < id {
			c.h++
		}
		if c.h < len(c.heads) || c.done {
			return nil
		}

		if err := c.refill(ctx); err != nil {
			return err
		}
	}
}

// doc is the current posting's entry ID, or -1 at the end. At the start
// of a chunk it is the chunk's first ID, known without reading it; in a
// chunk with a skip list, the skip list's, also once the chunk is read
// (posting decodes only the postings asked for).
func (c *stemCursor) doc(ctx context.Context) (int64, error) {
	if c.ended() {
		return -1, nil
	}
	if hd := c.heads[c.h]; c.at <= hd.first && c.loaded != c.h {
		return hd.first, nil
	} else if hd.skip != nil {
		return c.skipDoc()
	}
	if err := c.locate(ctx); err != nil {
		return -1, err
	}
	return c.curID, nil
}

// locate finds the current posting in its chunk (read now if it is not
// yet) without decoding it; only when not ended.
func (c *stemCursor) locate(ctx context.Context) error {
	if c.loaded != c.h {
		data := c.mem
		if c.mems != nil {
			data = c.mems[c.h]
		} else if data == nil {
			var err error
			if data, err = c.read(ctx); err != nil {
				return err
			}
		}
		c.loaded, c.rest, c.lastID, c.atOK = c.h, data, c.heads[c.h].first, false
	}
	for !c.atOK || c.curID < c.at {
		if len(c.rest) == 0 {
			return errCorrupt // the chunk's last ID said otherwise
		}
		if c.decodeAll {
			// Every posting is wanted: each is decoded once, as it is
			// passed, not passed over and then decoded.
			rest, pos, err := repertoire.ReadPosting(c.rest, c.lastID, &c.cur, c.posBuf[:0])
			if err != nil {
				return err
			}
			c.posBuf = pos
			if c.cur.ID >= c.at {
				c.curID, c.curPrev, c.curAt, c.atOK, c.curOK = c.cur.ID, c.lastID, c.rest, true, true
			}
			c.lastID, c.rest = c.cur.ID, rest
			continue
		}
		delta, rest, err := repertoire.SkipPosting(c.rest)
		if err != nil {
			return err
		}
		id := c.lastID + delta
		if id >= c.at {
			c.curID, c.curPrev, c.curAt, c.atOK, c.curOK = id, c.lastID, c.rest, true, false
		}
		c.lastID, c.rest = id, rest
	}
	return nil
}

// posting is the current posting; only when not ended. Its positions hold
// until the cursor moves to another posting.
func (c *stemCursor) posting(ctx context.Context) (*posting, error) {
	if err := c.locate(ctx); err != nil {
		return nil, err
	}
	if !c.curOK {
		var err error
		if _, c.posBuf, err = repertoire.ReadPosting(c.curAt, c.curPrev, &c.cur, c.posBuf[:0]); err != nil {
			return nil, err
		}
		c.curOK = true
	}
	return &c.cur, nil
}

// termCursor is a query term's postings: one stem's, or for a prefix the
// union of its stems'.
type termCursor struct {
	t     *repertoire.QueryTerm
	index int // in sr.terms
	// ub is the list's bound: full, the term's, or cap for a long list
	// read beside its top list.
	ub, full float64
	// cap is, on a term's long list, what an entry outside its top list
	// gets from the term (the cut, scaled); top is that top list, and
	// isTop marks it.
	cap   float64
	top   *termCursor
	isTop bool
	stems []*stemCursor
	wub   float64 // the bound within the current window
}

// advanceAll moves every stem of the given term lists to the first
// posting at or after id.
func advanceAll(ctx context.Context, tcs []*termCursor, id int64) error {
	for _, tc := range tcs {
		for _, c := range tc.stems {
			if err := c.advanceTo(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tc *termCursor) doc(ctx context.Context) (int64, error) {
	d := int64(-1)
	for _, c := range tc.stems {
		x, err := c.doc(ctx)
		if err != nil {
			return -1, err
		}
		if x >= 0 && (d < 0 || x < d) {
			d = x
		}
	}
	return d, nil
}

// advance moves the stems at id past it.
func (tc *termCursor) advance(ctx context.Context, id int64) error {
	for _, c := range tc.stems {
		x, err := c.doc(ctx)
		if err != nil {
			return err
		}
		if x == id {
			if err := c.advanceTo(ctx, id+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tc *termCursor) seek(ctx context.Context, id int64) error {
	for _, c := range tc.stems {
		if err := c.probeTo(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// boundMargin covers float rounding between sums of the same terms taken
// in different orders.
const boundMargin = 1e-9

// seedTerms: a query of more words is not seeded from top lists (each
// candidate would be probed for most of its words); the lists of its
// rarest words seed it instead (seedShort).
const seedTerms = 4

// seedWant: a seed scores exactly its seedWant×k best candidates.
const seedWant = 6

// A seed keeps at most maxSeedBounds bounds (12 bytes an entry): past
// that, the walk goes without them (a query of several common words at
// 10M entries, whose walk reads the long lists anyway). It makes room for
// up to seedBoundsRoom at first.
const (
	maxSeedBounds  = 1 << 18
	seedBoundsRoom = 1 << 16
)

// bufferSize is how many scored entries wait before the best are checked
// for visibility; loadBatch how many are checked at once.
const bufferSize = 64

// prune is block-max MaxScore (Ding and Suel 2011; Turtle and Flood 1995)
// over the query terms' postings. The IDs are walked in windows that end
// where some walked list's chunk ends; within a window each list's bound is
// that of its chunk there (chunk bound × idf, prior with the kind at its
// ceiling), and a set of lists adds the proximity ceilings of the pairs
// both of whose words it holds (pairbound.go). A window whose bounds sum
// below the k-th score found is passed over without reading a posting; in the others,
// MaxScore walks the lists that could still lift an entry into the top k
// and only probes the others. A term whose stem has a top list
// (searchtop.go) is read from two lists once the k-th score passes what
// its long list can add to an entry outside the top list (the cut): the top
// list, walked or probed, and the long one, probed only, bounded by the
// cut; before that from its long list alone. A list that cannot lift an
// entry however the others' chunks fall is probed only and does not cut
// windows. Entries are scored exactly from their postings (scoreFrom); the
// visibility and filter WHERE clause is asked of the entries table for
// those that would enter the top k, best first; only the final top k are
// loaded.
func (sr *searcher) prune(ctx context.Context, top *topK) error {
	if len(sr.terms) == 0 {
		return sr.phraseRest(ctx, top, nil)
	}
	drift := repertoire.AvgDrift(sr.avg, sr.stats.bound)
	ceil := repertoire.PriorCeiling(sr.q.HowTo)
	// A list's bound is its word's BM25 part; the proximity bonuses are
	// bounded by pair, for the sets of lists holding both words of a pair
	// (pairbound.go).
	pb := newPairBounds(sr.pairs(), sr.terms, ceil)
	scale := func(t *repertoire.QueryTerm, ub float64) float64 {
		return t.IDF * ub * drift * ceil * (1 + boundMargin)
	}
	// Each term's long list; the terms whose stem has a top list get one
	// beside it (read by the seed, below).
	var longs, tops []*termCursor
	for i, t := range sr.terms {
		tc := &termCursor{t: t, index: i, full: scale(t, t.UpperBound)}
		tc.ub = tc.full
		for _, s := range t.Stems {
			cs, err := sr.cursors(ctx, s)
			if err != nil {
				return err
			}
			tc.stems = append(tc.stems, cs...)
		}
		if cut := sr.stemInfo[t.Stems[0]].cut; cut > 0 && len(t.Stems) == 1 && !t.Prefix {
			tc.cap = min(scale(t, cut), tc.full)
			tc.top = &termCursor{t: t, index: i, full: tc.full, ub: tc.full, isTop: true}
			tops = append(tops, tc.top)
		}
		longs = append(longs, tc)
	}
	var nots []*stemCursor
	for _, w := range sr.q.Not {
		cs, err := sr.cursors(ctx, repertoire.Stem(w))
		if err != nil {
			return err
		}
		nots = append(nots, cs...)
	}
	// Scored entries wait in a buffer; the best are checked first, so the
	// threshold rises fast and the others mostly fall below it unchecked.
	var (
		batch []repertoire.Hit
		seen  = map[int64]bool{}
	)
	// The likeliest best entries, found in the top lists, are scored first:
	// the k-th score is then close to its final value before the long lists
	// are read, and they can be probed only from the start. The top lists
	// of the terms that weigh are read (a word in most entries, of tiny
	// idf, lifts none of them, and its list is long), unless a term without
	// a top list weighs most: its list is short and the best entries hold
	// it, so the walk finds them soon; nor a query of many words
	// (seedTerms). The walk uses the top lists the seed read, and no
	// other.
	var seeded []*termCursor
	var bounds *seedBounds // of the entries the seeded top lists hold
	if len(tops) > 0 && len(sr.terms) <= seedTerms && sr.phraseSet == nil && len(nots) == 0 {
		var most float64
		for _, tc := range longs {
			most = max(most, tc.full)
		}
		heaviest := false
		for _, tc := range tops {
			if tc.full >= most/4 {
				seeded = append(seeded, tc)
				heaviest = heaviest || tc.full == most
			}
		}
		if !heaviest || !seedOverlaps(seeded, sr.n, top.k) {
			seeded = nil
		}
	}
	if len(seeded) > 0 {
		// What an entry outside a seeded top list may still get from its
		// word: the cut.
		// outside: the same, or the word's whole bound when its top list
		// is not read.
		missing := make([]float64, len(sr.terms))
		outside := make([]float64, len(sr.terms))
		for _, tc := range longs {
			outside[tc.index] = tc.full
			if tc.top != nil && slices.Contains(seeded, tc.top) {
				missing[tc.index], outside[tc.index] = tc.cap, tc.cap
			}
		}
		var err error
		if bounds, err = sr.seed(ctx, seeded, missing, outside, pb, top, seen); err != nil {
			return err
		}
	}
	if len(seeded) == 0 && len(sr.terms) > seedTerms && sr.phraseSet == nil && len(nots) == 0 {
		if err := sr.seedShort(ctx, longs, top, seen); err != nil {
			return err
		}
	}
	for _, tc := range longs {
		if tc.top != nil && tc.top.stems == nil {
			tc.top, tc.cap = nil, 0 // not read: the long list alone
		}
		if tc.top != nil {
			tc.ub = tc.cap
		}
	}
	// The long lists by bound, then the top lists: the lists probed only
	// are the longest prefix of this order that cannot lift an entry, and
	// a top list is of use only when its long list is among them (a long
	// list sorts before its top list on equal bounds).
	sort.SliceStable(longs, func(i, j int) bool { return probeBefore(longs[i].ub, longs[i], longs[j].ub, longs[j]) })
	sort.SliceStable(seeded, func(i, j int) bool { return seeded[i].ub < seeded[j].ub })
	lists := append(longs, seeded...)
	threshold := top.threshold
	flush := func(all bool) error {
		for len(batch) > 0 {
			theta := threshold()
			sort.Slice(batch, func(i, j int) bool { return better(&batch[i], &batch[j]) })
			for len(batch) > 0 && batch[len(batch)-1].Score < theta {
				batch = batch[:len(batch)-1]
			}
			if !all && len(batch) < bufferSize {
				return nil
			}
			if all {
				err := sr.admitLast(ctx, batch, top)
				batch = batch[:0]
				return err
			}
			n := min(len(batch), max(loadBatch, top.k-len(top.hits)))
			ids := make([]int64, n)
			byID := map[int64]repertoire.Hit{}
			for i := range ids {
				ids[i] = batch[i].ID
				byID[ids[i]] = batch[i]
			}
			batch = append(batch[:0], batch[n:]...)
			ok, err := sr.visible(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ok {
				top.add(byID[id])
			}
		}
		return nil
	}
	m := make([]termHits, len(sr.terms))
	got := make([]bool, len(sr.terms))
	most := make([]float64, len(sr.terms)) // per term, scratch for termSum
	has := make([]bool, len(sr.terms))     // per term, scratch for termSum
	// termSum bounds what the lists ls add to an entry together: a term's
	// lists hold copies of one posting, so each term counts once, at the
	// highest bound of its lists among ls (skip: terms already found,
	// whose lists count for nothing), and with it the proximity ceilings
	// of the pairs both of whose words some list of ls holds (a list with
	// no chunk in the window, of bound 0, holds none). It sets has to the
	// terms counted.
	termSum := func(ls []*termCursor, skip []bool) float64 {
		clear(most)
		clear(has)
		for _, tc := range ls {
			if (skip == nil || !skip[tc.index]) && tc.wub > 0 {
				most[tc.index] = max(most[tc.index], tc.wub)
				has[tc.index] = true
			}
		}
		var sum float64
		for _, b := range most {
			sum += b
		}
		if skip == nil {
			sum += pb.within(has)
		}
		return sum
	}
	var lens [3]int
	var pr repertoire.PriorInputs
	var cursors, probed, walked []*termCursor
	var wsave []float64 // the lists' window bounds, kept while a candidate's are refined
	// refine lowers tc.wub to what tc can add to entry d, as far as its
	// lists tell without a statement.
	refine := func(tc *termCursor, d int64) error {
		known, found, b, err := tc.peek(ctx, d)
		switch {
		case err != nil:
			return err
		case !found && known:
			tc.wub = 0
		case found && len(tc.t.Stems) == 1:
			tc.wub = min(tc.wub, scale(tc.t, b))
		}
		return nil
	}
	split := make([]bool, len(sr.terms)) // per term: read from two lists
	var leaps leapPlan                   // conjoin.go
	filter := newSkipFilter(sr, longs, pb, scale)
	essential := make([]bool, len(sr.terms)) // per term, scratch for the filter
	windowUB := make([]float64, len(sr.terms))
	target := int64(math.MinInt64 + 1)
	for {
		theta := threshold()
		// The lists that cannot lift an entry whatever the chunks: the
		// longest prefix of lists by bound whose terms' bounds add up below
		// theta. They are probed only (by their whole-list bound). A term
		// whose long list is among them is read in two lists; the others
		// from their long list alone, at their full bound.
		probed, walked = probed[:0], walked[:0]
		for _, tc := range lists {
			tc.wub = tc.ub
		}
		n := 0
		for n < len(lists) && termSum(lists[:n+1], nil) < theta {
			n++
		}
		clear(split)
		for _, tc := range lists[:n] {
			probed = append(probed, tc)
			if tc.top != nil {
				split[tc.index] = true
			}
		}
		for _, tc := range lists[n:] {
			if tc.isTop && !split[tc.index] {
				continue // its long list is walked: it holds every posting
			}
			walked = append(walked, tc)
		}
		// The window: from target to where the first walked chunk met ends
		// (or before the next chunk starts); each walked list's bound
		// there.
		upTo := int64(math.MaxInt64)
		live := false
		for _, tc := range walked {
			var wub float64
			for _, c := range tc.stems {
				if err := c.advanceTo(ctx, target); err != nil {
					return err
				}
				if c.ended() {
					continue
				}
				live = true
				hd := c.head()
				if hd.first > target {
					upTo = min(upTo, hd.first-1)
					continue
				}
				upTo = min(upTo, hd.last)
				wub = max(wub, hd.bound)
			}
			tc.wub = 0
			if wub > 0 {
				switch {
				case len(tc.t.Stems) > 1:
					// A prefix's stems add up in one entry: only the
					// term's own bound holds.
					tc.wub = tc.full
				case split[tc.index] && !tc.isTop:
					tc.wub = min(scale(tc.t, wub), tc.cap)
				default:
					tc.wub = scale(tc.t, wub)
				}
			}
		}
		if !live {
			break
		}
		cursors = append(append(cursors[:0], probed...), walked...)
		if termSum(cursors, nil) < theta {
			target = upTo + 1
			continue
		}
		// MaxScore within the window: the probed lists first, then the
		// walked ones by bound, ascending; cum[j] bounds what lists 0..j
		// can add to an entry together.
		w := cursors[len(probed):]
		sort.SliceStable(w, func(i, j int) bool { return probeBefore(w[i].wub, w[i], w[j].wub, w[j]) })
		cum := make([]float64, len(cursors))
		for j := range cursors {
			cum[j] = termSum(cursors[:j+1], nil)
		}
		leapTheta := math.NaN()
		for {
			theta := threshold()
			// Essential lists: those from e on; an entry holding none of
			// them cannot reach theta.
			e := 0
			for e < len(cursors) && cum[e] < theta {
				e++
			}
			if e == len(cursors) {
				break
			}
			d := int64(-1)
			for _, tc := range cursors[e:] {
				x, err := tc.doc(ctx)
				if err != nil {
					return err
				}
				if x >= 0 && (d < 0 || x < d) {
					d = x
				}
			}
			if d < 0 || d > upTo {
				break
			}
			// A long list walked: the required terms' lists move in step
			// to the next entry that holds them all and may reach theta
			// (conjoin.go).
			if !onlyTops(cursors[e:]) {
				if theta != leapTheta {
					leapTheta = theta
					leaps.plan(len(sr.terms), cursors, cursors[e:], theta, termSum, pb)
				}
				if len(leaps.partners) > 0 {
					next, err := leaps.leap(ctx, d, upTo, theta, func(tc *termCursor, b float64) float64 { return scale(tc.t, b) })
					if err != nil {
						return err
					}
					if next > upTo {
						break
					}
					if next > d {
						if err := advanceAll(ctx, cursors[e:], next); err != nil {
							return err
						}
						continue
					}
				}
			}
			// Only top lists walked: the entries they hold below the
			// k-th score by their seed bound are passed over unread.
			if bounds != nil && onlyTops(cursors[e:]) {
				if next := bounds.next(d, theta); next > d {
					if next > upTo {
						break
					}
					if err := advanceAll(ctx, cursors[e:], next); err != nil {
						return err
					}
					continue
				}
			}
			// The entries from d on that cannot reach theta by any list's
			// skip list are passed over in one loop (skipfilter.go).
			clear(essential)
			clear(windowUB)
			for _, tc := range cursors[e:] {
				essential[tc.index] = true
			}
			for _, tc := range cursors {
				windowUB[tc.index] = max(windowUB[tc.index], tc.wub)
			}
			if next := filter.next(d, upTo, theta, essential, windowUB); next > d {
				if next > upTo {
					break
				}
				if err := advanceAll(ctx, cursors[e:], next); err != nil {
					return err
				}
				continue
			}
			// Before a posting is read: what d can reach by the lists that
			// answer from their skip lists, without a statement
			// (skipwalk.go): a list not holding d adds nothing, one
			// holding it at most its posting's bound. The walked lists
			// first, then the others in the order they are probed.
			wsave = wsave[:0]
			for _, tc := range cursors {
				wsave = append(wsave, tc.wub)
			}
			for _, tc := range cursors[e:] {
				if err := refine(tc, d); err != nil {
					return err
				}
			}
			skipped := termSum(cursors, nil) < theta
			for j := e - 1; j >= 0 && !skipped; j-- {
				before := cursors[j].wub
				if err := refine(cursors[j], d); err != nil {
					return err
				}
				if cursors[j].wub < before {
					skipped = termSum(cursors, nil) < theta
				}
			}
			for i := range m {
				m[i] = termHits{}
				got[i] = false
			}
			var partial float64 // the BM25 terms of those found, before the prior
			for _, tc := range cursors[e:] {
				if skipped {
					break
				}
				if got[tc.index] {
					continue // a copy of the posting found in its other list
				}
				found, err := tc.collect(ctx, d, &m[tc.index], &lens, &pr)
				if err != nil {
					return err
				}
				if found {
					got[tc.index] = true
					partial += repertoire.TermScore(tc.t.IDF, m[tc.index].tf(), lens, sr.avg)
				}
			}
			// The postings of d are decoded into m; moving on may reuse
			// their buffers only at a chunk boundary, after d is scored.
			// What d can still reach: the BM25 terms found, the bonuses of
			// the pairs found (their positions are known), the ceilings of
			// the pairs a word of which is still unknown (in a list not
			// probed yet), times d's prior; and the unknown lists' bounds.
			p := repertoire.PriorOf(pr, sr.q.HowTo)
			pruned := skipped || sr.phraseSet != nil && !sr.phraseSet[d]
			prox, proxStale := 0.0, true
			for j := e - 1; j >= 0 && !pruned; j-- {
				if proxStale {
					prox, proxStale = sr.proximity(m), false
				}
				rest := termSum(cursors[:j+1], got) // sets has to the unknown terms
				if (partial+prox+pb.open(got, has))*p*(1+boundMargin)+rest < theta {
					pruned = true
					break
				}
				tc := cursors[j]
				if got[tc.index] {
					continue
				}
				if err := tc.seek(ctx, d); err != nil {
					return err
				}
				// Sought, the list may tell from its skip list that d is
				// not in it, or at most its posting's bound: before its
				// postings are read.
				before := tc.wub
				if err := refine(tc, d); err != nil {
					return err
				}
				if tc.wub < before {
					rest := termSum(cursors[:j+1], got)
					if (partial+prox+pb.open(got, has))*p*(1+boundMargin)+rest < theta {
						pruned = true
						break
					}
				}
				found, err := tc.collect(ctx, d, &m[tc.index], &lens, &pr)
				if err != nil {
					return err
				}
				if found {
					got[tc.index] = true
					partial += repertoire.TermScore(tc.t.IDF, m[tc.index].tf(), lens, sr.avg)
					proxStale = true
				}
			}
			if !pruned {
				for _, c := range nots {
					if err := c.advanceTo(ctx, d); err != nil {
						return err
					}
					x, err := c.doc(ctx)
					if err != nil {
						return err
					}
					if x == d {
						pruned = true // holds an excluded word
					}
				}
			}
			if !pruned && !seen[d] {
				h := repertoire.Hit{Entry: repertoire.Entry{ID: d}}
				if sr.scoreFrom(&h, m, lens, p) && h.Score >= theta {
					seen[d] = true
					if sr.allVisible {
						top.add(h) // no check to wait for
					} else {
						batch = append(batch, h)
					}
				}
			}
			for i, tc := range cursors {
				tc.wub = wsave[i]
			}
			for _, tc := range cursors[e:] {
				if err := tc.advance(ctx, d); err != nil {
					return err
				}
			}
			if len(batch) >= bufferSize {
				if err := flush(false); err != nil {
					return err
				}
			}
		}
		if upTo == math.MaxInt64 {
			break
		}
		target = upTo + 1
	}
	if err := flush(true); err != nil {
		return err
	}
	if err := sr.phraseRest(ctx, top, seen); err != nil {
		return err
	}
	// The top k's rows, to show them (searchload.go).
	return sr.fillHits(ctx, top.hits)
}

// seed reads the top lists through, ranks the entries they hold by what
// those lists alone give them (BM25F and proximity of the terms found
// there, times the prior, plus missingShare of the cut of each seeded term
// whose top list lacks them, missing[term]: such an entry may still hold
// the word, just under the cut), and scores exactly the best few the asking channel may see and
// the filters keep, probing the long lists for the terms their top lists
// lack. They enter top (and seen) as any scored entry does; the pruned
// walk that follows passes over them. It returns a bound of the score of
// every entry the lists hold that may reach the k-th score (seedbound.go;
// outside[term] is what an entry lacking the term's posting in the lists
// may get from it) and leaves on each of tops a fresh cursor over its
// list, for the walk.
func (sr *searcher) seed(ctx context.Context, tops []*termCursor, missing, outside []float64, pb *pairBounds, top *topK, seen map[int64]bool) (*seedBounds, error) {
	// Each top list is streamed, a run of chunks at a time, by a cursor
	// of the seed's own; the walk that follows reads it again with
	// another, only where it needs to (at 10M entries a common word's top
	// list is 5–15 MB, which a search held whole).
	walks := make([]*stemCursor, len(tops))
	for i, tc := range tops {
		w, err := newStemCursor(ctx, sr, tc.t.Stems[0], topList)
		if err != nil {
			return nil, err
		}
		w.decodeAll = true
		c, err := newStemCursor(ctx, sr, tc.t.Stems[0], topList)
		if err != nil {
			return nil, err
		}
		walks[i], tc.stems = w, []*stemCursor{c}
	}
	// The best candidates by that partial score, merging the lists by ID;
	// a candidate keeps copies of the postings the lists gave it.
	type cand struct {
		id    int64
		m     []termHits
		found []bool
		lens  [3]int
		pr    repertoire.PriorInputs
	}
	best := bestOf[cand]{keep: seedWant * top.k}
	// Room for about as many entries as the lists hold (df/topShare
	// each): most are kept when the query has several words.
	var size float64
	for _, tc := range tops {
		size += tc.t.DocFreq / defaultTopShare
	}
	n := int(min(size, seedBoundsRoom))
	bounds := &seedBounds{ids: make([]int64, 0, n), ubs: make([]float32, 0, n)}
	floor := seedFloor{on: sr.allVisible, best: bestOf[struct{}]{keep: top.k}}
	unknown := make([]bool, len(sr.terms))
	err := sr.seedMerge(ctx, walks, tops, missing, func(id int64, score, bm, prior float64, m []termHits, found []bool, lens [3]int, pr repertoire.PriorInputs) {
		if floor.offer(bm, prior); bounds != nil {
			switch ub := seedBound(bm, prior, found, unknown, outside, pb); {
			case floor.below(ub):
			case len(bounds.ids) == maxSeedBounds:
				bounds = nil // too many to keep
			default:
				bounds.add(id, ub)
			}
		}
		if !best.admits(score) {
			return
		}
		c := cand{id: id, m: make([]termHits, len(m)), found: slices.Clone(found), lens: lens, pr: pr}
		for ti := range m {
			for f := range 3 {
				c.m[ti][f] = slices.Clone(m[ti][f])
			}
		}
		best.add(score, c)
	})
	if err != nil || len(best.items) == 0 {
		return bounds, err
	}
	ids := make([]int64, len(best.items))
	byID := map[int64]*cand{}
	for i := range best.items {
		ids[i], byID[best.items[i].v.id] = best.items[i].v.id, &best.items[i].v
	}
	ok, err := sr.visible(ctx, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i] < ok[j] })
	// Exact scores: the terms the top lists lacked are probed in their
	// long lists (fresh cursors, walked forward by ID).
	probe := make([]*termCursor, len(sr.terms))
	for _, id := range ok {
		c := byID[id]
		lens, pr := c.lens, c.pr
		for ti, t := range sr.terms {
			if c.found[ti] {
				continue
			}
			if probe[ti] == nil {
				probe[ti] = &termCursor{t: t, index: ti}
				for _, s := range t.Stems {
					cs, err := sr.cursors(ctx, s)
					if err != nil {
						return nil, err
					}
					probe[ti].stems = append(probe[ti].stems, cs...)
				}
			}
			if err := probe[ti].seek(ctx, id); err != nil {
				return nil, err
			}
			if _, err := probe[ti].collect(ctx, id, &c.m[ti], &lens, &pr); err != nil {
				return nil, err
			}
		}
		h := repertoire.Hit{Entry: repertoire.Entry{ID: id}}
		if sr.scoreFrom(&h, c.m, lens, repertoire.PriorOf(pr, sr.q.HowTo)) {
			seen[id] = true
			top.add(h)
		}
	}
	return bounds, nil
}

// seedOverlaps says whether the seeded top lists are likely to hold k
// entries that hold every seeded word: the seed ranks what the top lists
// give an entry, each list the 1/topShare of its word's entries that word
// lifts most, so the k-th score it finds is near the final one only when
// the entries holding every word are many and the best of them are in
// every list. Words drawn independently put n·Π(df/n) entries in all the
// lists' words and 1/topShare^m of them in all m lists. Where that is
// below k (at 1M entries: two words in 5% of the entries each, or three in
// 35%), the best entries lie outside the lists, the seed's k-th score is
// far below the final one (two middling words: ~10 against ~14), and the
// walk, which reads the long lists anyway, finds them without it.
func seedOverlaps(seeded []*termCursor, n float64, k int) bool {
	all := n
	for _, tc := range seeded {
		all *= tc.t.DocFreq / n / defaultTopShare
	}
	return all >= float64(k)
}

// onlyTops says whether every list of ls is a top list.
func onlyTops(ls []*termCursor) bool {
	for _, tc := range ls {
		if !tc.isTop {
			return false
		}
	}
	return true
}

// tf is the frequency per field.
func (m *termHits) tf() [3]int { return [3]int{len(m[0]), len(m[1]), len(m[2])} }

// collect adds what the term's stems hold of entry id (the cursors are at
// or past it) to m, with the entry's lengths and prior; false when nothing.
func (tc *termCursor) collect(ctx context.Context, id int64, m *termHits, lens *[3]int, pr *repertoire.PriorInputs) (bool, error) {
	found := false
	for _, c := range tc.stems {
		x, err := c.doc(ctx)
		if err != nil {
			return false, err
		}
		if x != id {
			continue
		}
		q, err := c.posting(ctx)
		if err != nil {
			return false, err
		}
		for f := range 3 {
			if found {
				m[f] = append(append([]int32(nil), m[f]...), q.Pos[f]...)
			} else {
				m[f] = q.Pos[f]
			}
		}
		*lens, *pr, found = q.Lens, q.Prior, true
	}
	return found, nil
}

// visible returns those of ids the asking channel may see and the filters
// keep: the WHERE clause, asked of the entries table.
func (sr *searcher) visible(ctx context.Context, ids []int64) ([]int64, error) {
	if sr.allVisible {
		return slices.Clone(ids), nil
	}
	return sr.rowids(ctx, `SELECT e.id FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL, append([]any{jsonList(ids)}, sr.filterArgs...)...)
}

func (sr *searcher) rowids(ctx context.Context, query string, args ...any) ([]int64, error) {
	st, err := sr.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// phraseRest scores the phrase entries the postings did not reach (they
// hold the phrase as FTS5 reads it but none of the words as recall stems
// them): they rank last, and count only when fewer than k hits were found.
func (sr *searcher) phraseRest(ctx context.Context, top *topK, seen map[int64]bool) error {
	if sr.phraseSet == nil || len(top.hits) >= top.k {
		return nil
	}
	var ids []int64
	for id := range sr.phraseSet {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := sr.load(ctx, ids[:n], top, nil); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
