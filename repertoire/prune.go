package repertoire

import (
	"context"
	"database/sql"
	"math"
	"sort"
)

// stemCursor walks one stem's postings in ID order, a few chunks per read.
type stemCursor struct {
	sr        *searcher
	term      string
	chunks    []storedChunk // fetched, not yet decoded, ascending
	cur       []posting     // the decoded chunk; empty at the end
	posBuf    []int32       // its positions
	pos       int
	fetched   int64 // the greatest chunk first ID fetched
	exhausted bool  // no chunk after fetched in the index
}

type storedChunk struct {
	first int64
	data  []byte
}

const (
	chunksAfter = `SELECT first, data FROM search_postings WHERE term = ? AND first > ? ORDER BY first LIMIT ?`
	chunkAt     = `SELECT first, data FROM search_postings WHERE term = ? AND first <= ? ORDER BY first DESC LIMIT ?`
)

func newStemCursor(ctx context.Context, sr *searcher, term string) (*stemCursor, error) {
	c := &stemCursor{sr: sr, term: term, fetched: math.MinInt64}
	return c, c.nextChunk(ctx)
}

// cursors are a stem's postings: its chunks, and its pending postings
// when some wait for the merge (an entry's posting is in one or the
// other).
func (sr *searcher) cursors(ctx context.Context, term string) ([]*stemCursor, error) {
	c, err := newStemCursor(ctx, sr, term)
	if err != nil {
		return nil, err
	}
	st, err := sr.prepared(ctx, `SELECT id, data FROM search_pending WHERE term = ? ORDER BY id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, term)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []posting
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		one, err := decodeChunk(id, data, nil)
		if err != nil {
			return nil, err
		}
		ps = append(ps, one...)
	}
	if err := rows.Err(); err != nil || len(ps) == 0 {
		return []*stemCursor{c}, err
	}
	// The pending postings as one chunk held in memory.
	p := &stemCursor{sr: sr, term: term, fetched: math.MaxInt64, exhausted: true,
		chunks: []storedChunk{{first: ps[0].id, data: encodeChunk(ps)}}}
	return []*stemCursor{c, p}, p.nextChunk(ctx)
}

// doc is the current posting's entry ID, or -1 at the end.
func (c *stemCursor) doc() int64 {
	if c.pos < len(c.cur) {
		return c.cur[c.pos].id
	}
	return -1
}

func (c *stemCursor) fetch(ctx context.Context, query string, arg int64, limit int) (int, error) {
	st, err := c.sr.prepared(ctx, query)
	if err != nil {
		return 0, err
	}
	rows, err := st.QueryContext(ctx, c.term, arg, limit)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var ch storedChunk
		if err := rows.Scan(&ch.first, &ch.data); err != nil {
			return 0, err
		}
		c.chunks = append(c.chunks, ch)
		c.fetched = max(c.fetched, ch.first)
		n++
	}
	return n, rows.Err()
}

// prepared returns the search's statement for query, prepared once.
func (sr *searcher) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := sr.stmts[query]; ok {
		return st, nil
	}
	st, err := sr.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if sr.stmts == nil {
		sr.stmts = map[string]*sql.Stmt{}
	}
	sr.stmts[query] = st
	return st, nil
}

// nextChunk decodes the next chunk, fetching when none is waiting; cur is
// empty at the end of the postings.
func (c *stemCursor) nextChunk(ctx context.Context) error {
	c.cur, c.pos = c.cur[:0], 0
	if len(c.chunks) == 0 && !c.exhausted {
		n, err := c.fetch(ctx, chunksAfter, c.fetched, chunkFetch)
		if err != nil {
			return err
		}
		c.exhausted = n < chunkFetch
	}
	if len(c.chunks) == 0 {
		return nil
	}
	ch := c.chunks[0]
	c.chunks = c.chunks[1:]
	var err error
	c.cur, c.posBuf, err = decodeChunkInto(ch.first, ch.data, c.cur, c.posBuf)
	return err
}

func (c *stemCursor) ended() bool { return len(c.cur) == 0 }

// next moves to the next posting.
func (c *stemCursor) next(ctx context.Context) error {
	c.pos++
	for c.pos >= len(c.cur) && !c.ended() {
		if err := c.nextChunk(ctx); err != nil {
			return err
		}
	}
	return nil
}

// seek moves to the first posting at or after id.
func (c *stemCursor) seek(ctx context.Context, id int64) error {
	if c.ended() || c.doc() >= id {
		return nil
	}
	if n := len(c.cur); c.cur[n-1].id >= id {
		c.pos += sort.Search(n-c.pos, func(i int) bool { return c.cur[c.pos+i].id >= id })
		return nil
	}
	// Drop the fetched chunks that end before id, reading on when none
	// is left (postings visited densely are read in order).
	if len(c.chunks) == 0 && !c.exhausted {
		n, err := c.fetch(ctx, chunksAfter, c.fetched, chunkFetch)
		if err != nil {
			return err
		}
		c.exhausted = n < chunkFetch
	}
	for len(c.chunks) >= 2 && c.chunks[1].first <= id {
		c.chunks = c.chunks[1:]
	}
	if !c.exhausted && len(c.chunks) == 1 && c.chunks[0].first <= id {
		// The chunk holding id may lie beyond what was fetched: read it.
		saved := c.chunks
		c.chunks = nil
		n, err := c.fetch(ctx, chunkAt, id, 1)
		if err != nil {
			return err
		}
		if n == 0 {
			c.chunks = saved
		}
	}
	for {
		if err := c.nextChunk(ctx); err != nil {
			return err
		}
		if c.ended() {
			return nil
		}
		if c.cur[len(c.cur)-1].id >= id {
			c.pos = sort.Search(len(c.cur), func(i int) bool { return c.cur[i].id >= id })
			return nil
		}
	}
}

// termCursor is a query term's postings: one stem's, or for a prefix the
// union of its stems'.
type termCursor struct {
	t     *qterm
	index int // in sr.terms
	ub    float64
	stems []*stemCursor
}

func (tc *termCursor) doc() int64 {
	d := int64(-1)
	for _, c := range tc.stems {
		if x := c.doc(); x >= 0 && (d < 0 || x < d) {
			d = x
		}
	}
	return d
}

func (tc *termCursor) advance(ctx context.Context, id int64) error {
	for _, c := range tc.stems {
		if c.doc() == id {
			if err := c.next(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tc *termCursor) seek(ctx context.Context, id int64) error {
	for _, c := range tc.stems {
		if err := c.seek(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// boundMargin covers float rounding between sums of the same terms taken
// in different orders.
const boundMargin = 1e-9

// bufferSize is how many scored entries wait before the best are checked
// for visibility; loadBatch how many are checked at once.
const bufferSize = 64

// prune is MaxScore over the query terms' postings. Entries are scored
// exactly from their postings (scoreFrom); the visibility and filter WHERE
// clause is asked of the entries table for those that would enter the top
// k, best first; only the final top k are loaded.
func (sr *searcher) prune(ctx context.Context, top *topK) error {
	if len(sr.terms) == 0 {
		return sr.phraseRest(ctx, top, nil)
	}
	drift := avgDrift(sr.avg, sr.stats.bound)
	ceil := priorCeiling(sr.q.howTo)
	// Each pair's proximity ceiling is answered for by its first term: an
	// entry earning it holds that term.
	pairs := sr.pairs()
	for _, t := range sr.terms {
		t.bonus = 0
	}
	for _, p := range pairs {
		a := sr.terms[p[0]]
		a.bonus += proximityCeiling(a.idf, sr.terms[p[1]].idf)
	}
	cursors := make([]*termCursor, len(sr.terms))
	for i, t := range sr.terms {
		tc := &termCursor{t: t, index: i, ub: (t.idf*t.ub*drift + t.bonus*t.pmax) * ceil * (1 + boundMargin)}
		for _, s := range t.stems {
			cs, err := sr.cursors(ctx, s)
			if err != nil {
				return err
			}
			tc.stems = append(tc.stems, cs...)
		}
		cursors[i] = tc
	}
	var nots []*stemCursor
	for _, w := range sr.q.not {
		cs, err := sr.cursors(ctx, stem(w))
		if err != nil {
			return err
		}
		nots = append(nots, cs...)
	}
	// MaxScore: terms by bound, ascending; cum[j] bounds what terms 0..j
	// can add to an entry together.
	sort.SliceStable(cursors, func(i, j int) bool { return cursors[i].ub < cursors[j].ub })
	cum := make([]float64, len(cursors))
	for j, tc := range cursors {
		cum[j] = tc.ub
		if j > 0 {
			cum[j] += cum[j-1]
		}
	}
	// Scored entries wait in a buffer; the best are checked first, so the
	// threshold rises fast and the others mostly fall below it unchecked.
	var (
		batch []Hit
		seen  = map[int64]bool{}
	)
	flush := func(all bool) error {
		for len(batch) > 0 {
			theta := top.threshold()
			sort.Slice(batch, func(i, j int) bool { return better(&batch[i], &batch[j]) })
			for len(batch) > 0 && batch[len(batch)-1].Score < theta {
				batch = batch[:len(batch)-1]
			}
			if !all && len(batch) < bufferSize {
				return nil
			}
			n := min(len(batch), max(loadBatch, top.k-len(top.hits)))
			ids := make([]int64, n)
			byID := map[int64]Hit{}
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
	var lens [3]int
	var pr priorInputs
	for {
		theta := top.threshold()
		// Essential terms: those from e on; an entry holding none of them
		// cannot reach theta.
		e := 0
		for e < len(cursors) && cum[e] < theta {
			e++
		}
		if e == len(cursors) {
			break
		}
		d := int64(-1)
		for _, tc := range cursors[e:] {
			if x := tc.doc(); x >= 0 && (d < 0 || x < d) {
				d = x
			}
		}
		if d < 0 {
			break
		}
		for i := range m {
			m[i] = termHits{}
		}
		var partial float64 // bound so far, before the prior
		for _, tc := range cursors[e:] {
			if tc.collect(d, &m[tc.index], &lens, &pr) {
				partial += termScore(tc.t.idf, m[tc.index].tf(), lens, sr.avg) + tc.t.bonus
			}
		}
		// The postings of d are decoded into m; moving on may reuse their
		// buffers only at a chunk boundary, after d is scored (below).
		p := priorOf(pr, sr.q.howTo)
		pruned := sr.phraseSet != nil && !sr.phraseSet[d]
		for j := e - 1; j >= 0 && !pruned; j-- {
			if partial*p*(1+boundMargin)+cum[j] < theta {
				pruned = true
				break
			}
			tc := cursors[j]
			if err := tc.seek(ctx, d); err != nil {
				return err
			}
			if tc.collect(d, &m[tc.index], &lens, &pr) {
				partial += termScore(tc.t.idf, m[tc.index].tf(), lens, sr.avg) + tc.t.bonus
			}
		}
		if !pruned {
			for _, c := range nots {
				if err := c.seek(ctx, d); err != nil {
					return err
				}
				if c.doc() == d {
					pruned = true // holds an excluded word
				}
			}
		}
		if !pruned && !seen[d] {
			h := Hit{Entry: Entry{ID: d}}
			if sr.scoreFrom(&h, m, lens, p) && h.Score >= theta {
				seen[d] = true
				batch = append(batch, h)
			}
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
	if err := flush(true); err != nil {
		return err
	}
	if err := sr.phraseRest(ctx, top, seen); err != nil {
		return err
	}
	// Load the top k to show them (scored again from their text, the same
	// computation).
	ids := make([]int64, len(top.hits))
	for i, h := range top.hits {
		ids[i] = h.ID
	}
	top.hits = top.hits[:0]
	return sr.load(ctx, ids, top)
}

// tf is the frequency per field.
func (m *termHits) tf() [3]int { return [3]int{len(m[0]), len(m[1]), len(m[2])} }

// collect adds what the term's stems hold of entry id (the cursors are at
// or past it) to m, with the entry's lengths and prior; false when nothing.
func (tc *termCursor) collect(id int64, m *termHits, lens *[3]int, pr *priorInputs) bool {
	found := false
	for _, c := range tc.stems {
		if c.doc() != id {
			continue
		}
		q := &c.cur[c.pos]
		for f := range 3 {
			if found {
				m[f] = append(append([]int32(nil), m[f]...), q.pos[f]...)
			} else {
				m[f] = q.pos[f]
			}
		}
		*lens, *pr, found = q.lens, q.prior, true
	}
	return found
}

// visible returns those of ids the asking channel may see and the filters
// keep: the WHERE clause, asked of the entries table.
func (sr *searcher) visible(ctx context.Context, ids []int64) ([]int64, error) {
	return sr.rowids(ctx, `SELECT e.id FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL, append([]any{jsonList(ids)}, sr.filterArgs...)...)
}

func (sr *searcher) rowids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := sr.tx.QueryContext(ctx, query, args...)
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
		if err := sr.load(ctx, ids[:n], top); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
