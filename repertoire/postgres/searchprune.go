package postgres

import (
	"context"
	"encoding/binary"
	"math"
	"sort"

	"github.com/repertoire/repertoire/repertoire"
)

// Block-max pruning over the chunked postings (migration 0002), shaped for
// a database a round trip away: a search reads every chunk header of the
// query's stems in one query (from the primary key alone), then reads
// chunks in batches, best bound first, and scores entries from their
// postings in Go. A chunk is read only while some entry in its range can
// still enter the top k: its bound plus, for each other word, the most
// that word can add in that range (its chunks' bounds there, or once read
// its postings' exact contributions). An entry is scored exactly
// (Recall.PostingScore) once every chunk that may hold it is read; the
// best scored entries are loaded under the visibility and filter clause
// and scored by Recall.Add from their text, which raises the k-th score.
// The search stops when no unread chunk and no scored entry can reach the
// k-th score: the result is the top k of the full ranking. The stems'
// pending postings (search_pending) are read whole first, as read chunks of
// one posting each, kept apart from the chunks' ranges.

const (
	// firstLoad is how many chunks the first read takes; each read after
	// takes twice as many as the one before, up to maxLoad.
	firstLoad = 16
	maxLoad   = 512
	// verifyBatch is how many scored entries one load of text takes.
	verifyBatch = 16
	// boundMargin covers float rounding between sums taken in different
	// orders (and PostgreSQL's float8 against Go's).
	boundMargin = 1e-9
)

// pterm is a query word's postings: one stem's, or for a prefix those of
// each of its stems.
type pterm struct {
	idf, bonus float64
	pmax       float64 // the largest prior without kind of an entry holding it
	multi      bool    // several stems: their frequencies add up in one entry
	ub         float64 // with several stems: the most it adds to any entry
	lists      []*plist
}

// plist is one stem's chunks, by first entry ID (their ranges are
// disjoint, so by last too).
type plist struct {
	term   string
	t      *pterm
	chunks []*pchunk
	hint   int // where covering last found a chunk
	// pend are the stem's pending postings (search_pending), each a read
	// chunk of one, by ID. Their IDs may fall in a chunk's range (an entry
	// changed after later ones were saved is folded into the chunks), but
	// an entry's posting is in one or the other, never both.
	pend []*pchunk
}

type pchunk struct {
	list        *plist
	first, last int64
	bound       float64   // the most the word adds to an entry in it
	data        []byte    // once read
	ps          []hpost   // once read
	contrib     []float64 // once read: each posting's exact contribution
	hint        int       // where find last stopped
	loaded      bool
	ub          float64 // the most an entry in its range can score, as last computed
}

type pruner struct {
	r     *repertoire.Recall
	terms []*pterm
	avg   [3]float64
	howTo bool
	ceil  float64
	drift float64

	// Entries seen, as bits from the lowest first ID of the query's
	// chunks: done when scored (or found unable to enter), pending while
	// in a read chunk but not every chunk that may hold them is read.
	base          int64
	done, waiting []uint64
	pending       []int64 // the waiting entries
	cands         []cand
	unread        []*pchunk
}

// pruneOptions are tests' settings: how many chunks each read takes (0:
// firstLoad, doubling), and a function told how many chunks of the query's
// stems a search read, of how many.
type pruneOptions struct {
	reads  int
	onDone func(read, total int)
}

type cand struct {
	id    int64
	score float64
}

// rankByChunks feeds r the entries that may enter its top k (see above).
func rankByChunks(ctx context.Context, tx *dbTx, r *repertoire.Recall, where string, args []any, o pruneOptions) error {
	terms := r.Terms()
	if len(terms) == 0 {
		return nil
	}
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return err
	}
	pr := &pruner{r: r, avg: r.Averages(), howTo: r.HowTo(), ceil: repertoire.PriorCeiling(r.HowTo())}
	pr.drift = repertoire.AvgDrift(pr.avg, st.bound)
	byStem := map[string][]*plist{}
	var stems []string
	for _, t := range terms {
		pt := &pterm{idf: t.IDF, multi: len(t.Stems) > 1}
		for _, s := range t.Stems {
			l := &plist{term: s, t: pt}
			pt.lists = append(pt.lists, l)
			if byStem[s] == nil {
				stems = append(stems, s)
			}
			byStem[s] = append(byStem[s], l)
		}
		pr.terms = append(pr.terms, pt)
	}
	// Each pair's proximity ceiling is answered for by its first word: an
	// entry earning it holds that word.
	for _, p := range r.Pairs() {
		pr.terms[p.A].bonus += p.Ceiling
	}
	rows, err := tx.QueryContext(ctx, `SELECT term, pmax FROM search_terms WHERE term = ANY(?::text[])`, stems)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		var pmax float64
		if err := rows.Scan(&s, &pmax); err != nil {
			rows.Close()
			return err
		}
		for _, l := range byStem[s] {
			l.t.pmax = max(l.t.pmax, pmax)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The pending postings are read whole (they are few): their priors
	// count in pmax, which search_terms keeps for merged postings only.
	pend, err := pr.readPending(ctx, tx, stems, byStem)
	if err != nil {
		return err
	}
	for _, t := range pr.terms {
		t.ub = (t.idf*repertoire.SatMax + t.bonus) * t.pmax * pr.ceil * (1 + boundMargin)
	}
	for _, t := range pr.terms {
		for _, l := range t.lists {
			for _, c := range l.pend {
				c.contrib = []float64{pr.contrib(t, &c.ps[0])}
			}
		}
	}
	rows, err = tx.QueryContext(ctx, `SELECT term, first, last, bound FROM search_chunks WHERE term = ANY(?::text[])
		ORDER BY term, first`, stems)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		var first, last int64
		var bound float64
		if err := rows.Scan(&s, &first, &last, &bound); err != nil {
			rows.Close()
			return err
		}
		for _, l := range byStem[s] {
			c := &pchunk{list: l, first: first, last: last, bound: pr.scale(l.t, bound)}
			l.chunks = append(l.chunks, c)
			pr.unread = append(pr.unread, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, c := range pr.unread {
		lo, hi = min(lo, c.first), max(hi, c.last)
	}
	for _, id := range pend {
		lo, hi = min(lo, id), max(hi, id)
	}
	if lo <= hi {
		pr.base = lo
		pr.done = make([]uint64, (hi-lo)/64+1)
		pr.waiting = make([]uint64, (hi-lo)/64+1)
	}
	// The pending postings are read: their entries are scored (or wait for
	// the chunks that may hold their other words) as a read chunk's are.
	for _, id := range pend {
		if !pr.has(pr.done, id) && !pr.has(pr.waiting, id) {
			pr.score(id, pr.r.Threshold())
		}
	}
	load, most := firstLoad, maxLoad
	if o.reads > 0 {
		load, most = o.reads, o.reads
	}
	for {
		theta := pr.r.Threshold()
		pr.trimCands(theta)
		needed := pr.needed(theta)
		if len(needed) == 0 && len(pr.cands) == 0 {
			if o.onDone != nil {
				total, read := 0, 0
				for _, t := range pr.terms {
					for _, l := range t.lists {
						for _, c := range l.chunks {
							total++
							if c.loaded {
								read++
							}
						}
					}
				}
				o.onDone(read, total)
			}
			return nil
		}
		if len(pr.cands) > 0 && (len(needed) == 0 || pr.cands[0].score >= needed[0].ub || math.IsInf(theta, -1)) {
			if err := pr.verify(ctx, tx, where, args); err != nil {
				return err
			}
			continue
		}
		needed = needed[:min(len(needed), load)]
		load = min(2*load, most)
		if err := pr.read(ctx, tx, needed); err != nil {
			return err
		}
	}
}

// readPending reads the stems' pending postings into their lists (their
// contributions are computed once the words' ceilings are known), raises
// the words' pmax to their priors, and returns their entry IDs.
func (pr *pruner) readPending(ctx context.Context, tx *dbTx, stems []string, byStem map[string][]*plist) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT term, id, data FROM search_pending WHERE term = ANY(?::text[])
		ORDER BY term, id`, stems)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var s string
		var id int64
		var data []byte
		if err := rows.Scan(&s, &id, &data); err != nil {
			return nil, err
		}
		ps, err := decodeHeads(id, data)
		if err != nil {
			return nil, err
		}
		if len(ps) != 1 || ps[0].id != id {
			return nil, errCorrupt
		}
		for _, l := range byStem[s] {
			c := &pchunk{list: l, first: id, last: id, data: data, ps: ps, loaded: true}
			l.pend = append(l.pend, c)
			l.t.pmax = max(l.t.pmax, repertoire.PriorOf(ps[0].prior(), false))
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// contrib is the most word t adds to the entry of posting p (exact but for
// proximity, at its ceiling).
func (pr *pruner) contrib(t *pterm, p *hpost) float64 {
	if t.multi {
		return t.ub
	}
	return (repertoire.TermScore(t.idf, p.tfs(), p.lengths(), pr.avg) + t.bonus) *
		repertoire.PriorOf(p.prior(), pr.howTo) * (1 + boundMargin)
}

// pending is the stem's pending posting of entry id, or nil.
func (l *plist) pending(id int64) *pchunk {
	i := sort.Search(len(l.pend), func(i int) bool { return l.pend[i].first >= id })
	if i < len(l.pend) && l.pend[i].first == id {
		return l.pend[i]
	}
	return nil
}

// scale turns a chunk's stored bound into the most its word adds to an
// entry in it: times idf and the drift of the averages, proximity at its
// ceiling, the kind factor at its ceiling.
func (pr *pruner) scale(t *pterm, bound float64) float64 {
	if t.multi {
		return t.ub
	}
	return (t.idf*bound*pr.drift + t.bonus*t.pmax) * pr.ceil * (1 + boundMargin)
}

// trimCands drops the scored entries below theta and sorts the rest, best
// first.
func (pr *pruner) trimCands(theta float64) {
	keep := pr.cands[:0]
	for _, c := range pr.cands {
		if c.score*(1+boundMargin) >= theta {
			keep = append(keep, c)
		}
	}
	pr.cands = keep
	sort.Slice(pr.cands, func(i, j int) bool {
		if pr.cands[i].score != pr.cands[j].score {
			return pr.cands[i].score > pr.cands[j].score
		}
		return pr.cands[i].id > pr.cands[j].id
	})
}

// needed returns the unread chunks in which an entry can still reach
// theta, best bound first; the others are dropped for good (theta only
// rises).
func (pr *pruner) needed(theta float64) []*pchunk {
	keep := pr.unread[:0]
	for _, c := range pr.unread {
		if c.loaded {
			continue
		}
		c.ub = pr.chunkUB(c)
		if c.ub < theta {
			continue
		}
		keep = append(keep, c)
	}
	pr.unread = keep
	out := append([]*pchunk(nil), keep...)
	sort.Slice(out, func(i, j int) bool { return out[i].ub > out[j].ub })
	return out
}

// chunkUB bounds the score of any entry in an unread chunk's range.
func (pr *pruner) chunkUB(c *pchunk) float64 {
	ub := c.bound
	for _, t := range pr.terms {
		if t != c.list.t {
			ub += pr.most(t, c.first, c.last)
		}
	}
	return ub
}

// most bounds what word t adds to an entry with an ID in [a, b].
func (pr *pruner) most(t *pterm, a, b int64) float64 {
	var m float64
	for _, l := range t.lists {
		i := sort.Search(len(l.chunks), func(i int) bool { return l.chunks[i].last >= a })
		for ; i < len(l.chunks) && l.chunks[i].first <= b; i++ {
			c := l.chunks[i]
			if !c.loaded {
				m = max(m, c.bound)
				continue
			}
			for j := c.find(a); j < len(c.ps) && c.ps[j].id <= b; j++ {
				m = max(m, c.contrib[j])
			}
		}
		i = sort.Search(len(l.pend), func(i int) bool { return l.pend[i].first >= a })
		for ; i < len(l.pend) && l.pend[i].first <= b; i++ {
			m = max(m, l.pend[i].contrib[0])
		}
		if t.multi && m > 0 {
			return t.ub
		}
	}
	return m
}

// read reads chunks, scores the entries they complete and notes the
// others.
func (pr *pruner) read(ctx context.Context, tx *dbTx, chunks []*pchunk) error {
	terms := make([]string, len(chunks))
	firsts := make([]int64, len(chunks))
	byKey := map[chunkKey][]*pchunk{}
	for i, c := range chunks {
		terms[i], firsts[i] = c.list.term, c.first
		byKey[chunkKey{c.list.term, c.first}] = append(byKey[chunkKey{c.list.term, c.first}], c)
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.term, c.first, c.data FROM unnest(?::text[], ?::bigint[]) AS k(term, first)
		JOIN search_chunks c ON c.term = k.term COLLATE "C" AND c.first = k.first`, terms, firsts)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k chunkKey
		var data []byte
		if err := rows.Scan(&k.term, &k.first, &data); err != nil {
			rows.Close()
			return err
		}
		ps, err := decodeHeads(k.first, data)
		if err != nil {
			rows.Close()
			return err
		}
		for _, c := range byKey[k] {
			c.data, c.ps, c.loaded = data, ps, true
			c.contrib = make([]float64, len(ps))
			for j := range ps {
				c.contrib[j] = pr.contrib(c.list.t, &ps[j])
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range chunks {
		if !c.loaded {
			return errCorrupt // a header without its row: read in one snapshot, cannot be
		}
	}
	theta := pr.r.Threshold()
	waiting := pr.pending
	pr.pending = nil
	for _, id := range waiting {
		pr.clear(pr.waiting, id)
		pr.score(id, theta)
	}
	for _, c := range chunks {
		for j := range c.ps {
			if id := c.ps[j].id; !pr.has(pr.done, id) && !pr.has(pr.waiting, id) {
				pr.score(id, theta)
			}
		}
	}
	return nil
}

func (pr *pruner) has(set []uint64, id int64) bool {
	i := id - pr.base
	return set[i>>6]&(1<<(i&63)) != 0
}

func (pr *pruner) set(set []uint64, id int64) {
	i := id - pr.base
	set[i>>6] |= 1 << (i & 63)
}

func (pr *pruner) clear(set []uint64, id int64) {
	i := id - pr.base
	set[i>>6] &^= 1 << (i & 63)
}

// score scores entry id from its postings when every chunk that may hold
// it is read and its bound (each word's exact contribution, proximity at
// its ceiling) can reach theta; while some chunk is unread, it keeps it
// pending as long as its bound can reach theta.
func (pr *pruner) score(id int64, theta float64) {
	var (
		heldC   [maxHeld]*pchunk // per word and stem, the chunk holding the entry's posting (nil: none)
		heldJ   [maxHeld]int     // and the posting's index in it
		p       *hpost
		tfs     [3]int
		known   float64
		unknown float64
		open    bool
	)
	k := 0
	for _, t := range pr.terms {
		var tf [3]int
		var has, unread bool
		var bound float64 // of the word's unread chunks that may hold the entry
		for _, l := range t.lists {
			var hc *pchunk
			var hj int
			if c := l.pending(id); c != nil {
				hc, hj, p = c, 0, &c.ps[0]
				has, tfs = true, p.tfs()
				for f := range 3 {
					tf[f] += tfs[f]
				}
			} else if c := l.covering(id); c != nil {
				if !c.loaded {
					unread = true
					bound = max(bound, c.bound)
				} else if j := c.find(id); j < len(c.ps) && c.ps[j].id == id {
					hc, hj, p = c, j, &c.ps[j]
					has, tfs = true, p.tfs()
					for f := range 3 {
						tf[f] += tfs[f]
					}
				}
			}
			if k < maxHeld {
				heldC[k], heldJ[k] = hc, hj
			}
			k++
		}
		switch {
		case unread:
			// (With several stems, each chunk's bound is the word's own,
			// which holds for all its stems together.)
			open = true
			unknown += bound
		case has:
			known += (repertoire.TermScore(t.idf, tf, p.lengths(), pr.avg) + t.bonus) * repertoire.PriorOf(p.prior(), pr.howTo) * (1 + boundMargin)
		}
	}
	if known+unknown < theta {
		pr.set(pr.done, id)
		return
	}
	if open {
		pr.set(pr.waiting, id)
		pr.pending = append(pr.pending, id)
		return
	}
	pr.set(pr.done, id)
	if k > maxHeld {
		// More stems than held: the entry is loaded and scored from its
		// text.
		pr.cands = append(pr.cands, cand{id, known})
		return
	}
	m := make([][3][]int32, len(pr.terms))
	k = 0
	for ti, t := range pr.terms {
		first := true
		for range t.lists {
			if c := heldC[k]; c != nil {
				pos, err := c.positions(heldJ[k])
				if err != nil {
					// A chunk read whole but not its positions: scored
					// from the text instead.
					pr.cands = append(pr.cands, cand{id, known})
					return
				}
				for f := range 3 {
					if first {
						m[ti][f] = pos[f]
					} else {
						m[ti][f] = append(append([]int32(nil), m[ti][f]...), pos[f]...)
					}
				}
				first = false
			}
			k++
		}
	}
	if s := pr.r.PostingScore(m, p.lengths(), p.prior()); s*(1+boundMargin) >= theta {
		pr.cands = append(pr.cands, cand{id, s})
	}
}

// maxHeld bounds the stems score holds postings of without allocating:
// 24 words, a few of them prefixes.
const maxHeld = 64

// covering is the chunk whose range holds id, or nil.
func (l *plist) covering(id int64) *pchunk {
	if h := l.hint; h < len(l.chunks) && l.chunks[h].first <= id && id <= l.chunks[h].last {
		return l.chunks[h]
	}
	i, j := 0, len(l.chunks)
	for i < j {
		h := int(uint(i+j) >> 1)
		if l.chunks[h].last < id {
			i = h + 1
		} else {
			j = h
		}
	}
	if i == len(l.chunks) || l.chunks[i].first > id {
		return nil
	}
	l.hint = i
	return l.chunks[i]
}

// find is the index of the first posting at or after id.
func (c *pchunk) find(id int64) int {
	if h := c.hint; h < len(c.ps) && c.ps[h].id <= id {
		// Entries are mostly asked in ascending order: look a little
		// ahead of the last answer first.
		for e := min(h+4, len(c.ps)); h < e; h++ {
			if c.ps[h].id >= id {
				c.hint = h
				return h
			}
		}
	}
	i, j := 0, len(c.ps)
	for i < j {
		h := int(uint(i+j) >> 1)
		if c.ps[h].id < id {
			i = h + 1
		} else {
			j = h
		}
	}
	c.hint = i
	return i
}

// hpost is a read posting without its positions, which stay in the
// chunk's data until an entry is scored (most are not).
type hpost struct {
	id                        int64
	tf, lens                  [3]int32
	votes, helpful, unhelpful int32
	kind                      uint8
	off                       int32 // where its positions start in the chunk's data
}

func (p *hpost) tfs() [3]int     { return [3]int{int(p.tf[0]), int(p.tf[1]), int(p.tf[2])} }
func (p *hpost) lengths() [3]int { return [3]int{int(p.lens[0]), int(p.lens[1]), int(p.lens[2])} }
func (p *hpost) prior() repertoire.PriorInputs {
	kind, _ := repertoire.KindOfCode(int64(p.kind)) // checked by decodeHeads
	return repertoire.PriorInputs{Votes: int(p.votes), Helpful: int(p.helpful), Unhelpful: int(p.unhelpful), Kind: kind}
}

// decodeHeads reads a chunk's postings (encodeChunk's format), passing
// over their positions.
func decodeHeads(first int64, data []byte) ([]hpost, error) {
	out := make([]hpost, 0, len(data)/12+1)
	id := first
	b := data
	var vals [11]int64
	for len(b) > 0 {
		var err error
		if b, err = repertoire.ReadPostingHead(b, &vals); err != nil {
			return nil, err
		}
		for _, v := range vals {
			if v > math.MaxInt32 || v < math.MinInt32 {
				return nil, errCorrupt
			}
		}
		id += vals[0]
		if _, ok := repertoire.KindOfCode(vals[10]); !ok {
			return nil, errCorrupt
		}
		p := hpost{id: id, off: int32(len(data) - len(b)),
			tf:    [3]int32{int32(vals[1]), int32(vals[2]), int32(vals[3])},
			lens:  [3]int32{int32(vals[4]), int32(vals[5]), int32(vals[6])},
			votes: int32(vals[7]), helpful: int32(vals[8]), unhelpful: int32(vals[9]), kind: uint8(vals[10])}
		if b, err = repertoire.SkipPositions(b, vals[1]+vals[2]+vals[3]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// positions decodes posting j's positions per field.
func (c *pchunk) positions(j int) ([3][]int32, error) {
	var out [3][]int32
	p := &c.ps[j]
	b := c.data[p.off:]
	for f := range 3 {
		pos := make([]int32, p.tf[f])
		x := int32(0)
		for i := range pos {
			u, n := binary.Uvarint(b)
			if n <= 0 {
				return out, errCorrupt
			}
			b = b[n:]
			x += int32(u)
			pos[i] = x
		}
		out[f] = pos
	}
	return out, nil
}

// verify loads the best scored entries under the visibility and filter
// clause and hands them to Recall.Add, which scores them from their text.
func (pr *pruner) verify(ctx context.Context, tx *dbTx, where string, args []any) error {
	n := min(len(pr.cands), max(verifyBatch, pr.r.Limit()))
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = pr.cands[i].id
	}
	pr.cands = append(pr.cands[:0], pr.cands[n:]...)
	return loadVisible(ctx, tx, pr.r, ids, where, args)
}

// loadVisible reads the entries ids the clause where keeps and hands them
// to r.
func loadVisible(ctx context.Context, tx *dbTx, r *repertoire.Recall, ids []int64, where string, args []any) error {
	// The clause's placeholders are bare: they number on after the IDs'.
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE e.id = ANY(?::bigint[]) AND `+where,
		append([]any{ids}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		r.Add(e)
	}
	return rows.Err()
}
