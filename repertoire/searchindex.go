package repertoire

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// The search index: postings per stem beside FTS5 (migration 0009), kept by
// fold in the writing transaction. See search.go for how a search uses it.

const (
	// chunkSize is the postings per stored chunk; a chunk that grows past
	// twice this by insertions in the middle is split.
	chunkSize = 128
	// foldStep is how many entries one pass of a large fold holds in memory.
	foldStep = 20_000
)

// posting is one entry holding one stem: what scoring needs of it.
type posting struct {
	id    int64
	tf    [3]int
	lens  [3]int
	prior priorInputs
}

var kindCodes = []Kind{Tip, Solution, Story, HowWeDo}

func kindCode(k Kind) uint64 {
	for i, c := range kindCodes {
		if c == k {
			return uint64(i)
		}
	}
	return 0
}

// encodeChunk writes postings (ascending IDs) as varints, IDs as deltas
// from the chunk's first.
func encodeChunk(ps []posting) []byte {
	b := make([]byte, 0, len(ps)*12)
	prev := ps[0].id
	for _, p := range ps {
		b = binary.AppendUvarint(b, uint64(p.id-prev))
		prev = p.id
		for f := range 3 {
			b = binary.AppendUvarint(b, uint64(p.tf[f]))
		}
		for f := range 3 {
			b = binary.AppendUvarint(b, uint64(p.lens[f]))
		}
		b = binary.AppendVarint(b, int64(p.prior.votes))
		b = binary.AppendUvarint(b, uint64(p.prior.helpful))
		b = binary.AppendUvarint(b, uint64(p.prior.unhelpful))
		b = binary.AppendUvarint(b, kindCode(p.prior.kind))
	}
	return b
}

var errCorrupt = errors.New("search index: corrupt chunk")

func decodeChunk(first int64, b []byte, out []posting) ([]posting, error) {
	out = out[:0]
	id := first
	var vals [11]int64
	for len(b) > 0 {
		for i := range vals {
			var n int
			if i == 7 {
				vals[i], n = binary.Varint(b)
			} else {
				var u uint64
				u, n = binary.Uvarint(b)
				vals[i] = int64(u)
			}
			if n <= 0 {
				return nil, errCorrupt
			}
			b = b[n:]
		}
		id += vals[0]
		k := vals[10]
		if k < 0 || k >= int64(len(kindCodes)) {
			return nil, errCorrupt
		}
		out = append(out, posting{
			id:    id,
			tf:    [3]int{int(vals[1]), int(vals[2]), int(vals[3])},
			lens:  [3]int{int(vals[4]), int(vals[5]), int(vals[6])},
			prior: priorInputs{int(vals[7]), int(vals[8]), int(vals[9]), kindCodes[k]},
		})
	}
	return out, nil
}

// indexStats are the totals of search_stats.
type indexStats struct {
	n     int64
	sum   [3]int64
	bound [3]float64
}

func (st indexStats) avg() [3]float64 {
	var a [3]float64
	for f := range 3 {
		a[f] = 1
		if st.n > 0 {
			a[f] = max(float64(st.sum[f])/float64(st.n), 1)
		}
	}
	return a
}

func loadIndexStats(ctx context.Context, q querier) (indexStats, error) {
	var st indexStats
	err := q.QueryRowContext(ctx, `SELECT n, sum_q, sum_a, sum_t, bound_q, bound_a, bound_t FROM search_stats WHERE id = 1`).
		Scan(&st.n, &st.sum[0], &st.sum[1], &st.sum[2], &st.bound[0], &st.bound[1], &st.bound[2])
	if err != nil {
		return st, fmt.Errorf("read search totals: %w", err)
	}
	return st, nil
}

// docTerms is an entry's text as the index sees it: per stem, its
// frequency in each field, and the fields' lengths.
func docTerms(question, answer, tags string) (map[string][3]int, [3]int) {
	fields := [3]string{question, answer, tags}
	terms := map[string][3]int{}
	var lens [3]int
	memo := map[string]string{}
	for f, text := range fields {
		toks := tokenize(text)
		lens[f] = len(toks)
		for _, t := range toks {
			s, ok := memo[t.raw]
			if !ok {
				s = stem(t.raw)
				memo[t.raw] = s
			}
			v := terms[s]
			v[f]++
			terms[s] = v
		}
	}
	return terms, lens
}

// foldPending folds the entries noted in search_dirty into the postings. It
// runs inside every writing transaction, before it commits, so searches
// always see postings, totals and bounds that agree with the entries (and a
// forgotten entry's postings never outlive the transaction that forgot it).
func foldPending(ctx context.Context, tx *sql.Tx) error {
	var any int
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_dirty)`).Scan(&any); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if any == 0 {
		return nil
	}
	return foldAll(ctx, tx)
}

// foldAll folds every noted entry, foldStep at a time.
func foldAll(ctx context.Context, tx *sql.Tx) error {
	for {
		n, err := foldSome(ctx, tx)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}

type dirtyRow struct {
	id      int64
	indexed bool
	old     [3]string
}

// foldSome folds up to foldStep noted entries and reports how many.
func foldSome(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, indexed, coalesce(question, ''), coalesce(answer, ''), coalesce(tags, '')
		FROM search_dirty ORDER BY id LIMIT ?`, foldStep)
	if err != nil {
		return 0, err
	}
	var dirty []dirtyRow
	for rows.Next() {
		var d dirtyRow
		if err := rows.Scan(&d.id, &d.indexed, &d.old[0], &d.old[1], &d.old[2]); err != nil {
			rows.Close()
			return 0, err
		}
		dirty = append(dirty, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(dirty) == 0 {
		return 0, err
	}
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return 0, err
	}
	// What to take out (old postings) and put in (current rows), per stem.
	remove := map[string][]int64{}
	add := map[string][]posting{}
	for _, d := range dirty {
		if !d.indexed {
			continue
		}
		terms, lens := docTerms(d.old[0], d.old[1], d.old[2])
		for s := range terms {
			remove[s] = append(remove[s], d.id)
		}
		st.n--
		for f := range 3 {
			st.sum[f] -= int64(lens[f])
		}
	}
	ids := make([]int64, len(dirty))
	for i, d := range dirty {
		ids[i] = d.id
	}
	rows, err = tx.QueryContext(ctx, `SELECT e.id, e.question, e.answer, e.tags, e.votes, e.helpful, e.unhelpful, e.kind
		FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value`, jsonList(ids))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var (
			id     int64
			q, a   string
			tags   string
			pr     priorInputs
			kind   string
			lens   [3]int
			fields map[string][3]int
		)
		if err := rows.Scan(&id, &q, &a, &tags, &pr.votes, &pr.helpful, &pr.unhelpful, &kind); err != nil {
			rows.Close()
			return 0, err
		}
		pr.kind = Kind(kind)
		fields, lens = docTerms(q, a, tags)
		for s, tf := range fields {
			add[s] = append(add[s], posting{id: id, tf: tf, lens: lens, prior: pr})
		}
		st.n++
		for f := range 3 {
			st.sum[f] += int64(lens[f])
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if st.bound[0] <= 0 && st.n > 0 {
		// The first fold fixes the averages bounds are computed at; a
		// rebuild (Optimize) resets them.
		st.bound = st.avg()
	}
	fw, err := newFoldWriter(ctx, tx, st.bound)
	if err != nil {
		return 0, err
	}
	defer fw.close()
	stems := map[string]bool{}
	for s := range remove {
		stems[s] = true
	}
	for s := range add {
		stems[s] = true
	}
	sorted := make([]string, 0, len(stems))
	for s := range stems {
		sorted = append(sorted, s)
	}
	sort.Strings(sorted)
	for _, s := range sorted {
		ps := add[s]
		sort.Slice(ps, func(i, j int) bool { return ps[i].id < ps[j].id })
		rm := remove[s]
		sort.Slice(rm, func(i, j int) bool { return rm[i] < rm[j] })
		if err := fw.apply(ctx, s, rm, ps); err != nil {
			return 0, fmt.Errorf("stem %q: %w", s, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET n = ?, sum_q = ?, sum_a = ?, sum_t = ?, bound_q = ?, bound_a = ?, bound_t = ? WHERE id = 1`,
		st.n, st.sum[0], st.sum[1], st.sum[2], st.bound[0], st.bound[1], st.bound[2]); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_dirty WHERE id IN (SELECT value FROM json_each(?))`, jsonList(ids)); err != nil {
		return 0, err
	}
	return len(dirty), nil
}

// foldWriter applies one fold's changes stem by stem.
type foldWriter struct {
	bound                                                 [3]float64
	getTerm, putTerm, delTerm, tail, at, lowest, put, del *sql.Stmt
	buf                                                   []posting
}

func newFoldWriter(ctx context.Context, tx *sql.Tx, bound [3]float64) (*foldWriter, error) {
	fw := &foldWriter{bound: bound}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&fw.getTerm, `SELECT df, ub, pmax FROM search_terms WHERE term = ?`},
		{&fw.putTerm, `INSERT OR REPLACE INTO search_terms (term, df, ub, pmax) VALUES (?, ?, ?, ?)`},
		{&fw.delTerm, `DELETE FROM search_terms WHERE term = ?`},
		{&fw.tail, `SELECT first, data FROM search_postings WHERE term = ? ORDER BY first DESC LIMIT 1`},
		{&fw.at, `SELECT first, data FROM search_postings WHERE term = ? AND first <= ? ORDER BY first DESC LIMIT 1`},
		{&fw.lowest, `SELECT first, data FROM search_postings WHERE term = ? ORDER BY first LIMIT 1`},
		{&fw.put, `INSERT OR REPLACE INTO search_postings (term, first, data) VALUES (?, ?, ?)`},
		{&fw.del, `DELETE FROM search_postings WHERE term = ? AND first = ?`},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			fw.close()
			return nil, err
		}
		*p.st = st
	}
	return fw, nil
}

func (fw *foldWriter) close() {
	for _, st := range []*sql.Stmt{fw.getTerm, fw.putTerm, fw.delTerm, fw.tail, fw.at, fw.lowest, fw.put, fw.del} {
		if st != nil {
			st.Close()
		}
	}
}

// postingBound is what search_terms.ub bounds: the posting's saturated
// weight at the bound averages times its prior without the kind factor.
func (fw *foldWriter) postingBound(p posting) float64 {
	return saturate(tfnOf(p.tf, p.lens, fw.bound)) * priorOf(p.prior, false)
}

// apply removes the IDs rm and adds the postings ps (both ascending) to one
// stem's chunks and totals.
func (fw *foldWriter) apply(ctx context.Context, stemKey string, rm []int64, ps []posting) error {
	var df int64
	var ub, pmax float64
	err := fw.getTerm.QueryRowContext(ctx, stemKey).Scan(&df, &ub, &pmax)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Group the changes by the chunk they fall in: the chunk with the
	// greatest first ID at or below, else the lowest chunk. New entries
	// mostly go to the tail, found once.
	type change struct {
		rm []int64
		ps []posting
	}
	changes := map[int64]*change{}
	var order []int64
	var tailFirst int64 = math.MinInt64
	var tailData []byte
	if err := fw.tail.QueryRowContext(ctx, stemKey).Scan(&tailFirst, &tailData); err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		tailFirst = math.MinInt64
	}
	data := map[int64][]byte{}
	if tailFirst != math.MinInt64 {
		data[tailFirst] = tailData
	}
	chunkOf := func(id int64) (int64, error) {
		if tailFirst == math.MinInt64 {
			return math.MinInt64, nil // no chunk yet: a new one
		}
		if id >= tailFirst {
			return tailFirst, nil
		}
		var first int64
		var d []byte
		err := fw.at.QueryRowContext(ctx, stemKey, id).Scan(&first, &d)
		if errors.Is(err, sql.ErrNoRows) {
			err = fw.lowest.QueryRowContext(ctx, stemKey).Scan(&first, &d)
		}
		if err != nil {
			return 0, err
		}
		data[first] = d
		return first, nil
	}
	get := func(first int64) *change {
		c, ok := changes[first]
		if !ok {
			c = &change{}
			changes[first] = c
			order = append(order, first)
		}
		return c
	}
	for _, id := range rm {
		first, err := chunkOf(id)
		if err != nil {
			return err
		}
		if first == math.MinInt64 {
			continue // nothing indexed to remove
		}
		c := get(first)
		c.rm = append(c.rm, id)
	}
	for _, p := range ps {
		first, err := chunkOf(p.id)
		if err != nil {
			return err
		}
		c := get(first)
		c.ps = append(c.ps, p)
	}
	for _, first := range order {
		c := changes[first]
		var cur []posting
		if first != math.MinInt64 {
			if cur, err = decodeChunk(first, data[first], fw.buf); err != nil {
				return err
			}
		}
		merged := make([]posting, 0, len(cur)+len(c.ps))
		i, j := 0, 0
		gone := map[int64]bool{}
		for _, id := range c.rm {
			gone[id] = true
		}
		for i < len(cur) || j < len(c.ps) {
			switch {
			case j == len(c.ps) || (i < len(cur) && cur[i].id < c.ps[j].id):
				if gone[cur[i].id] {
					df--
				} else {
					merged = append(merged, cur[i])
				}
				i++
			case i == len(cur) || c.ps[j].id < cur[i].id:
				merged = append(merged, c.ps[j])
				df++
				j++
			default: // the same entry: replaced, counted once
				merged = append(merged, c.ps[j])
				i++
				j++
			}
		}
		fw.buf = cur
		for _, p := range c.ps {
			ub = max(ub, fw.postingBound(p))
			pmax = max(pmax, priorOf(p.prior, false))
		}
		if first != math.MinInt64 {
			if _, err := fw.del.ExecContext(ctx, stemKey, first); err != nil {
				return err
			}
		}
		// Split into chunks: full ones of chunkSize, unless the merged run
		// is at most twice that (a chunk grown in the middle stays whole).
		for len(merged) > 0 {
			n := len(merged)
			if n > 2*chunkSize || (first == tailFirst && n > chunkSize) || first == math.MinInt64 && n > chunkSize {
				n = chunkSize
			}
			if _, err := fw.put.ExecContext(ctx, stemKey, merged[0].id, encodeChunk(merged[:n])); err != nil {
				return err
			}
			merged = merged[n:]
		}
	}
	if df <= 0 {
		_, err := fw.delTerm.ExecContext(ctx, stemKey)
		return err
	}
	_, err = fw.putTerm.ExecContext(ctx, stemKey, df, ub, pmax)
	return err
}

// Optimize folds every waiting entry into the search postings, recomputes
// their bounds at the current average lengths, and merges the FTS5 index
// into one segment. Run it after an import or another large change; it
// changes no entry.
func (s *Store) Optimize(ctx context.Context) error {
	err := s.tx(ctx, "", func(tx *sql.Tx) error {
		if err := foldAll(ctx, tx); err != nil {
			return err
		}
		return rebound(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("optimize full-text index: %w", err)
	}
	return nil
}

// rebound recomputes every stem's bound at the current averages, so
// bounds stay tight after the repertoire has grown or shrunk.
func rebound(ctx context.Context, tx *sql.Tx) error {
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return err
	}
	if st.n == 0 {
		return nil
	}
	fw := &foldWriter{bound: st.avg()}
	rows, err := tx.QueryContext(ctx, `SELECT term, first, data FROM search_postings ORDER BY term, first`)
	if err != nil {
		return err
	}
	type tb struct {
		term     string
		ub, pmax float64
	}
	var out []tb
	var cur tb
	var buf []posting
	for rows.Next() {
		var term string
		var first int64
		var data []byte
		if err := rows.Scan(&term, &first, &data); err != nil {
			rows.Close()
			return err
		}
		if term != cur.term {
			if cur.term != "" {
				out = append(out, cur)
			}
			cur = tb{term: term}
		}
		if buf, err = decodeChunk(first, data, buf); err != nil {
			rows.Close()
			return err
		}
		for _, p := range buf {
			cur.ub = max(cur.ub, fw.postingBound(p))
			cur.pmax = max(cur.pmax, priorOf(p.prior, false))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if cur.term != "" {
		out = append(out, cur)
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE search_terms SET ub = ?, pmax = ? WHERE term = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, t := range out {
		if _, err := stmt.ExecContext(ctx, t.ub, t.pmax, t.term); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE search_stats SET bound_q = ?, bound_a = ?, bound_t = ? WHERE id = 1`,
		fw.bound[0], fw.bound[1], fw.bound[2])
	return err
}
