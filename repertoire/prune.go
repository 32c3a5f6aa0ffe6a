package repertoire

import (
	"context"
	"math"
	"sort"
)

// stemCursor walks one stem's postings in ID order, a few chunks per read.
type stemCursor struct {
	sr        *searcher
	term      string
	chunks    []storedChunk // fetched, not yet decoded, ascending
	cur       []posting     // the decoded chunk; empty at the end
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

// doc is the current posting's entry ID, or -1 at the end.
func (c *stemCursor) doc() int64 {
	if c.pos < len(c.cur) {
		return c.cur[c.pos].id
	}
	return -1
}

func (c *stemCursor) fetch(ctx context.Context, query string, arg int64, limit int) (int, error) {
	rows, err := c.sr.tx.QueryContext(ctx, query, c.term, arg, limit)
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
	c.cur, err = decodeChunk(ch.first, ch.data, c.cur)
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
	// Drop the fetched chunks that end before id.
	for len(c.chunks) >= 2 && c.chunks[1].first <= id {
		c.chunks = c.chunks[1:]
	}
	if !c.exhausted && (len(c.chunks) == 0 || (len(c.chunks) == 1 && c.chunks[0].first <= id)) {
		// The chunk holding id may lie beyond what was fetched: read it.
		saved := c.chunks
		c.chunks = nil
		n, err := c.fetch(ctx, chunkAt, id, 1)
		if err != nil {
			return err
		}
		if n == 0 {
			c.chunks = saved
		} else {
			c.exhausted = false
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

// at sums the term's frequencies in entry id (the cursors are at or past
// it) and reports the posting, or false.
func (tc *termCursor) at(id int64) (tf [3]int, p *posting, ok bool) {
	for _, c := range tc.stems {
		if c.doc() == id {
			q := &c.cur[c.pos]
			for f := range 3 {
				tf[f] += q.tf[f]
			}
			p, ok = q, true
		}
	}
	return tf, p, ok
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

// boundMargin covers float rounding between the score summed from
// postings and the one summed from tokens.
const boundMargin = 1e-9

// prune is MaxScore over the query terms' postings.
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
			c, err := newStemCursor(ctx, sr, s)
			if err != nil {
				return err
			}
			tc.stems = append(tc.stems, c)
		}
		cursors[i] = tc
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
	var (
		batch []candidate
		seen  = map[int64]bool{}
	)
	flush := func() error {
		theta := top.threshold()
		var ids []int64
		for _, c := range batch {
			if c.bound >= theta {
				ids = append(ids, c.id)
			}
		}
		batch = batch[:0]
		if len(ids) == 0 {
			return nil
		}
		return sr.load(ctx, ids, top)
	}
	tfs := make([][3]int, len(sr.terms))
	has := make([]bool, len(sr.terms))
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
		for i := range has {
			has[i] = false
		}
		var lens [3]int
		var pr priorInputs
		var partial float64 // bound so far, before the prior
		for _, tc := range cursors[e:] {
			tf, p, ok := tc.at(d)
			if !ok {
				continue
			}
			lens, pr = p.lens, p.prior
			tfs[tc.index], has[tc.index] = tf, true
			partial += termScore(tc.t.idf, tf, lens, sr.avg) + tc.t.bonus
		}
		for _, tc := range cursors[e:] {
			if err := tc.advance(ctx, d); err != nil {
				return err
			}
		}
		if sr.phraseSet != nil && !sr.phraseSet[d] {
			continue
		}
		p := priorOf(pr, sr.q.howTo)
		pruned := false
		for j := e - 1; j >= 0; j-- {
			if partial*p*(1+boundMargin)+cum[j] < theta {
				pruned = true
				break
			}
			tc := cursors[j]
			if err := tc.seek(ctx, d); err != nil {
				return err
			}
			if tf, _, ok := tc.at(d); ok {
				tfs[tc.index], has[tc.index] = tf, true
				partial += termScore(tc.t.idf, tf, lens, sr.avg) + tc.t.bonus
			}
		}
		if pruned || seen[d] {
			continue
		}
		// The entry's bound: BM25F exact, proximity at its ceiling for the
		// pairs it holds both words of.
		var bm float64
		for i, t := range sr.terms {
			if has[i] {
				bm += termScore(t.idf, tfs[i], lens, sr.avg)
			}
		}
		for _, pp := range pairs {
			if has[pp[0]] && has[pp[1]] {
				bm += proximityCeiling(sr.terms[pp[0]].idf, sr.terms[pp[1]].idf)
			}
		}
		bound := bm * p * (1 + boundMargin)
		if bound < theta {
			continue
		}
		seen[d] = true
		batch = append(batch, candidate{id: d, bound: bound})
		if len(batch) >= loadBatch || len(batch) >= top.k-len(top.hits) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return sr.phraseRest(ctx, top, seen)
}

// candidate is an entry whose bound says it may enter the top k.
type candidate struct {
	id    int64
	bound float64
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
