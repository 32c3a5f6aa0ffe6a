package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// The search index: postings per stem beside FTS5 (migration 0009), kept by
// fold in the writing transaction. See search.go for how a search uses it.
//
// The layout (migrations 0009 and 0015), for a port to another engine:
//
//   - search_stats (one row): n entries indexed; sum_q, sum_a, sum_t, the
//     summed token counts of question, answer and tags (the averages BM25F
//     uses are sum/n, at least 1); bound_q, bound_a, bound_t, the averages
//     the stored bounds were computed at (fixed by the first fold, reset by a
//     rebuild; a search scales bounds by repertoire.AvgDrift when the
//     averages have grown); pending, the rows of search_pending.
//   - search_terms (term PRIMARY KEY): per stem (repertoire.Stem of a token),
//     df, the merged postings holding it; ub, the largest bound of one of
//     them; pmax, the largest prior without the kind factor among them.
//   - search_postings (rowid id; unique index on (term, first, last, bound),
//     which covers the headers a search walks): a stem's merged postings in
//     entry ID order, split into chunks of up to chunkSize (128; a chunk
//     grown in the middle may hold up to twice that). first and last are the
//     chunk's lowest and highest entry IDs; bound is the largest bound of its
//     postings. A posting's bound is
//     Saturate(TfnOf(tf, lens, bound averages)) × PriorOf(prior, false): the
//     most the stem can add to the entry's score before idf, proximity and
//     the how-to kind factor (repertoire.PriorCeiling), which a search
//     multiplies in.
//     skip (migration 0030, in the index too) is the chunk's skip list:
//     each posting's ID delta and a byte bounding its bound (skip.go), so
//     a search walks a list's entries without reading its postings.
//   - search_pending ((term, id) PRIMARY KEY): postings of entries saved
//     since the last merge, one row per (stem, entry), with its bound and
//     pmax; data is a one-posting chunk. An entry's posting of a stem is in
//     search_pending or in a chunk, never both; df in search_terms counts
//     merged postings only.
//   - search_dirty: entries changed since they were folded (triggers on
//     entries), with the old text of an indexed one until the fold.
//
// A chunk's data (repertoire.EncodeChunk) is, for each posting in ID order, unsigned
// varints (encoding/binary) unless noted: the ID minus the previous
// posting's (the chunk's first ID for the first, so 0); tf of question,
// answer, tags; the token counts of question, answer, tags; votes (a signed
// zig-zag varint); helpful; unhelpful; the kind's code (0 tip, 1 solution,
// 2 story, 3 how-we-do); then for each field in turn its tf token positions
// (indexes into repertoire.Tokenize of the field; tags joined by spaces),
// each as the difference from the previous one in that field (the first
// from 0).

const (
	// chunkSize is the postings per stored chunk; a chunk that grows past
	// twice this by insertions in the middle is split.
	chunkSize = 128
	// foldStep is how many entries one pass of a large fold holds in memory.
	foldStep = 5_000
)

// posting is one entry holding one stem (the chunk format both stores
// share is repertoire.EncodeChunk's).
type posting = repertoire.Posting

var errCorrupt = repertoire.ErrCorruptChunk

func encodeChunk(ps []posting) []byte { return repertoire.EncodeChunk(ps) }

func decodeChunk(first int64, b []byte, out []posting) ([]posting, error) {
	ps, _, err := repertoire.DecodeChunk(first, b, out, nil)
	return ps, err
}

// indexStats are the totals of search_stats.
type indexStats struct {
	n       int64
	sum     [3]int64
	bound   [3]float64
	pending int64 // rows in search_pending
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

const indexStatsQuery = `SELECT n, sum_q, sum_a, sum_t, bound_q, bound_a, bound_t, pending FROM search_stats WHERE id = 1`

func loadIndexStats(ctx context.Context, q querier) (indexStats, error) {
	return scanIndexStats(q.QueryRowContext(ctx, indexStatsQuery))
}

func scanIndexStats(row *sql.Row) (indexStats, error) {
	var st indexStats
	err := row.Scan(&st.n, &st.sum[0], &st.sum[1], &st.sum[2], &st.bound[0], &st.bound[1], &st.bound[2], &st.pending)
	if err != nil {
		return st, fmt.Errorf("read search totals: %w", err)
	}
	return st, nil
}

// docTerms is an entry's text as the index sees it: per stem, its
// positions in each field, and the fields' lengths.
func docTerms(question, answer, tags string) (map[string]*[3][]int32, [3]int) {
	return docTermsMemo(question, answer, tags, map[string]string{})
}

// docTermsMemo is docTerms remembering stems in memo (raw token → stem).
func docTermsMemo(question, answer, tags string, memo map[string]string) (map[string]*[3][]int32, [3]int) {
	fields := [3]string{question, answer, tags}
	terms := map[string]*[3][]int32{}
	var lens [3]int
	for f, text := range fields {
		toks := repertoire.Tokenize(text)
		lens[f] = len(toks)
		for i, t := range toks {
			s, ok := memo[t.Raw]
			if !ok {
				s = repertoire.Stem(t.Raw)
				memo[t.Raw] = s
			}
			v := terms[s]
			if v == nil {
				v = &[3][]int32{}
				terms[s] = v
			}
			v[f] = append(v[f], int32(i))
		}
	}
	return terms, lens
}

// foldPending folds the entries noted in search_dirty into the postings. It
// runs inside every writing transaction, before it commits, so searches
// always see postings, totals and bounds that agree with the entries (and a
// forgotten entry's postings never outlive the transaction that forgot it).
// It returns how many pending postings wait for the merge afterwards, or -1
// when nothing was noted.
func foldPending(ctx context.Context, tx foldTx, chunk int) (int64, error) {
	var any int
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_dirty)`).Scan(&any); err != nil {
		return 0, fmt.Errorf("search index: %w", err)
	}
	if any == 0 {
		return -1, nil
	}
	if err := foldAll(ctx, tx, chunk); err != nil {
		return 0, err
	}
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("search index: %w", err)
	}
	return st.pending, nil
}

// foldAll folds every noted entry, foldStep at a time.
func foldAll(ctx context.Context, tx foldTx, chunk int) error {
	_, err := foldPasses(ctx, tx, newTailCache(chunk), -1)
	return err
}

// foldPasses folds noted entries, foldStep at a time, for at most passes
// passes (all when negative), and reports how many it folded. The stems'
// last chunks stay in memory from one pass to the next (tailCache).
func foldPasses(ctx context.Context, tx foldTx, tc *tailCache, passes int) (int, error) {
	defer tc.close()
	memo := map[string]string{}
	folded := 0
	for i := 0; passes < 0 || i < passes; i++ {
		if len(memo) > 1<<16 {
			clear(memo)
		}
		n, err := foldSome(ctx, tx, tc, memo)
		if err != nil {
			return folded, fmt.Errorf("search index: %w", err)
		}
		if n == 0 {
			break
		}
		folded += n
	}
	if err := tc.flush(ctx, tx); err != nil {
		return folded, fmt.Errorf("search index: %w", err)
	}
	return folded, nil
}

type dirtyRow struct {
	id      int64
	indexed bool
	old     [3]string
}

// foldSome folds up to foldStep noted entries and reports how many.
func foldSome(ctx context.Context, tx foldTx, tc *tailCache, memo map[string]string) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, indexed, coalesce(question, ''), coalesce(answer, ''), coalesce(tags, '')
		FROM search_dirty ORDER BY id LIMIT ?`, tc.step)
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
		terms, lens := docTermsMemo(d.old[0], d.old[1], d.old[2], memo)
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
			pr     repertoire.PriorInputs
			kind   string
			lens   [3]int
			fields map[string]*[3][]int32
		)
		if err := rows.Scan(&id, &q, &a, &tags, &pr.Votes, &pr.Helpful, &pr.Unhelpful, &kind); err != nil {
			rows.Close()
			return 0, err
		}
		pr.Kind = repertoire.Kind(kind)
		fields, lens = docTermsMemo(q, a, tags, memo)
		for s, pos := range fields {
			p := posting{ID: id, Lens: lens, Prior: pr, Pos: *pos}
			for f := range 3 {
				p.TF[f] = len(pos[f])
			}
			v, ok := add[s]
			if !ok {
				v = make([]posting, 0, tc.sizeHint(s))
			}
			add[s] = append(v, p)
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
	fw, err := newFoldWriter(ctx, tx, st.bound, tc.chunk)
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
	for _, ps := range add {
		sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	}
	// The stems' top lists follow the same changes (before add is split
	// below between search_pending and the chunks).
	if err := foldTop(ctx, tx, st.bound, tc.chunk, sorted, remove, add); err != nil {
		return 0, err
	}
	// An entry changed or gone loses its pending postings (the chunks'
	// ones go below).
	if gone, err := fw.dropPending(ctx, tx, remove); err != nil {
		return 0, err
	} else {
		st.pending -= gone
	}
	// A member's new entries wait in search_pending, one row per stem,
	// without reading anything (the merge moves them into the chunks); an
	// import's many entries are merged into their stems' last chunks at
	// once, in a few statements for all those stems.
	var rest []string
	if len(dirty) < bulkFold {
		fresh := map[int64]bool{}
		for _, d := range dirty {
			if !d.indexed {
				fresh[d.id] = true
			}
		}
		var added int64
		rest, added, err = fw.appendPending(ctx, tx, sorted, remove, add, fresh)
		st.pending += added
	} else {
		rest, err = fw.appendAll(ctx, tx, tc, sorted, remove, add)
	}
	if err != nil {
		return 0, err
	}
	for _, s := range rest {
		if err := tc.evict(ctx, tx, s); err != nil {
			return 0, fmt.Errorf("stem %q: %w", s, err)
		}
		rm := remove[s]
		sort.Slice(rm, func(i, j int) bool { return rm[i] < rm[j] })
		if err := fw.apply(ctx, s, rm, add[s]); err != nil {
			return 0, fmt.Errorf("stem %q: %w", s, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET n = ?, sum_q = ?, sum_a = ?, sum_t = ?, bound_q = ?, bound_a = ?, bound_t = ?, pending = ? WHERE id = 1`,
		st.n, st.sum[0], st.sum[1], st.sum[2], st.bound[0], st.bound[1], st.bound[2], st.pending); err != nil {
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
	owned                                                 []*sql.Stmt // prepared here, not the cache's: closed by close

	// chunk is the postings per chunk: chunkSize, fewer in tests.
	chunk int
}

func newFoldWriter(ctx context.Context, tx foldTx, bound [3]float64, chunk int) (*foldWriter, error) {
	return newListWriter(ctx, tx, bound, chunk, [3]string{
		`SELECT df, ub, pmax FROM search_terms WHERE term = ?`,
		`INSERT OR REPLACE INTO search_terms (term, df, ub, pmax) VALUES (?, ?, ?, ?)`,
		`DELETE FROM search_terms WHERE term = ?`,
	}, "search_postings")
}

// newListWriter is a foldWriter for the chunks of table (laid out as
// search_postings), with the stems' totals read, written and deleted by
// the statements of terms.
func newListWriter(ctx context.Context, tx foldTx, bound [3]float64, chunk int, terms [3]string, table string) (*foldWriter, error) {
	fw := &foldWriter{bound: bound, chunk: chunk}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&fw.getTerm, terms[0]},
		{&fw.putTerm, terms[1]},
		{&fw.delTerm, terms[2]},
		{&fw.tail, `SELECT first, data FROM ` + table + ` WHERE term = ? ORDER BY first DESC LIMIT 1`},
		{&fw.at, `SELECT first, data FROM ` + table + ` WHERE term = ? AND first <= ? ORDER BY first DESC LIMIT 1`},
		{&fw.lowest, `SELECT first, data FROM ` + table + ` WHERE term = ? ORDER BY first LIMIT 1`},
		{&fw.put, `INSERT OR REPLACE INTO ` + table + ` (term, first, last, bound, data, skip) VALUES (?, ?, ?, ?, ?, ?)`},
		{&fw.del, `DELETE FROM ` + table + ` WHERE term = ? AND first = ?`},
	} {
		st, cached, err := prepareFold(ctx, tx, p.q)
		if err != nil {
			fw.close()
			return nil, err
		}
		*p.st = st
		if !cached {
			fw.owned = append(fw.owned, st)
		}
	}
	return fw, nil
}

func (fw *foldWriter) close() {
	for _, st := range fw.owned {
		st.Close()
	}
	fw.owned = nil
}

// bulkFold is how many entries a fold takes to merge into the stems' last
// chunks rather than wait in search_pending.
const bulkFold = 32

// appendPending writes the postings of new entries (fresh) to
// search_pending, in one statement, and returns the stems left for apply
// (those with removals or postings of changed entries; add keeps only
// those) and how many rows it wrote.
func (fw *foldWriter) appendPending(ctx context.Context, tx foldTx, stems []string, remove map[string][]int64, add map[string][]posting, fresh map[int64]bool) ([]string, int64, error) {
	var rest []string
	var puts []any
	for _, s := range stems {
		var keep []posting
		for _, p := range add[s] {
			if !fresh[p.ID] {
				keep = append(keep, p)
				continue
			}
			puts = append(puts, []any{s, p.ID, fw.postingBound(p), repertoire.PriorOf(p.Prior, false),
				hex.EncodeToString(encodeChunk([]posting{p}))})
		}
		add[s] = keep
		if len(keep) > 0 || len(remove[s]) > 0 {
			rest = append(rest, s)
		}
	}
	if len(puts) == 0 {
		return rest, 0, nil
	}
	err := execJSON(ctx, tx, `INSERT OR REPLACE INTO search_pending (term, id, bound, pmax, data)
		SELECT value->>0, value->>1, value->>2, value->>3, unhex(value->>4) FROM json_each(?)`, puts)
	return rest, int64(len(puts)), err
}

// dropPending deletes the pending postings of the (stem, entry) pairs in
// remove and reports how many there were.
func (fw *foldWriter) dropPending(ctx context.Context, tx foldTx, remove map[string][]int64) (int64, error) {
	var keys []any
	for s, ids := range remove {
		for _, id := range ids {
			keys = append(keys, []any{s, id})
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE (term, id) IN (SELECT value->>0, value->>1 FROM json_each(?))`, string(b))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, err
}

func execJSON(ctx context.Context, tx foldTx, query string, args []any) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, query, string(b))
	return err
}

// appendAll adds, through tc, the postings of the stems whose changes are
// only postings after their last merged entry (new entries), and returns
// the other stems, which tc no longer holds (for apply).
func (fw *foldWriter) appendAll(ctx context.Context, tx foldTx, tc *tailCache, stems []string, remove map[string][]int64, add map[string][]posting) ([]string, error) {
	var rest, cand []string
	for _, s := range stems {
		if len(remove[s]) > 0 || len(add[s]) == 0 {
			rest = append(rest, s)
		} else {
			cand = append(cand, s)
		}
	}
	tc.bound = fw.bound
	if err := tc.load(ctx, tx, cand); err != nil {
		return nil, err
	}
	for _, s := range cand {
		st, ps := tc.stems[s], add[s]
		if ps[0].ID <= st.last {
			rest = append(rest, s)
			continue
		}
		if err := tc.add(ctx, tx, s, st, ps); err != nil {
			return nil, fmt.Errorf("stem %q: %w", s, err)
		}
	}
	for _, s := range rest {
		if err := tc.evict(ctx, tx, s); err != nil {
			return nil, fmt.Errorf("stem %q: %w", s, err)
		}
	}
	return rest, tc.trim(ctx, tx)
}

// postingBound is what search_terms.ub bounds: the posting's saturated
// weight at the bound averages times its prior without the kind factor.
func (fw *foldWriter) postingBound(p posting) float64 {
	return postingBoundAt(p, fw.bound)
}

// postingBoundAt is a posting's bound at the field length averages avg.
func postingBoundAt(p posting, avg [3]float64) float64 {
	return repertoire.Saturate(repertoire.TfnOf(p.TF, p.Lens, avg)) * repertoire.PriorOf(p.Prior, false)
}

// chunkBound is the largest postingBound of a chunk's postings: what
// search_postings.bound keeps, so a search can pass over a chunk whose
// entries cannot reach the top k without reading it.
func (fw *foldWriter) chunkBound(ps []posting) float64 {
	var b float64
	for _, p := range ps {
		b = max(b, fw.postingBound(p))
	}
	return b
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
		first, err := chunkOf(p.ID)
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
		dfBefore := df
		for i < len(cur) || j < len(c.ps) {
			switch {
			case j == len(c.ps) || (i < len(cur) && cur[i].ID < c.ps[j].ID):
				if gone[cur[i].ID] {
					df--
				} else {
					merged = append(merged, cur[i])
				}
				i++
			case i == len(cur) || c.ps[j].ID < cur[i].ID:
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
		if len(c.ps) == 0 && df == dfBefore {
			continue // nothing it holds was removed: left as it is
		}
		for _, p := range c.ps {
			ub = max(ub, fw.postingBound(p))
			pmax = max(pmax, repertoire.PriorOf(p.Prior, false))
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
			if n > 2*fw.chunk || (first == tailFirst && n > fw.chunk) || first == math.MinInt64 && n > fw.chunk {
				n = fw.chunk
			}
			c := merged[:n]
			if _, err := fw.put.ExecContext(ctx, stemKey, c[0].ID, c[len(c)-1].ID, fw.chunkBound(c), encodeChunk(c), fw.chunkSkip(c)); err != nil {
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

// Optimize folds every waiting entry into the search postings, merges the
// pending postings into the chunks, tightens the stems' bounds to their
// chunks', builds the top lists due, writes the skip lists of chunks
// written before they were kept (skip.go), moves each stem's chunks onto
// consecutive rowids where a fold interleaved them (layout.go) and merges
// the FTS5 index into one segment. Run it after an import or another large
// change; it changes no entry.
//
// Another process (the bot) keeps writing meanwhile, so the write lock is
// held briefly: pending postings are merged a bounded number of stems per
// transaction, the bounds are tightened from the chunks' bound column (no
// posting is decoded), chunks are moved a few stems per transaction, and
// the full-text index is merged a step at a time, each step its own
// transaction, with a pause between.
func (s *Store) Optimize(ctx context.Context) error {
	if err := s.tx(ctx, "", func(tx *sql.Tx) error { return foldAll(ctx, tx, s.chunk) }); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if err := s.mergePending(ctx); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	err := s.tx(ctx, "", func(tx *sql.Tx) error {
		if err := foldAll(ctx, tx, s.chunk); err != nil {
			return err
		}
		if _, err := mergeSome(ctx, tx, math.MaxInt32, s.chunk); err != nil {
			return err
		}
		return rebound(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if err := s.buildTops(ctx); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if _, err := s.fillSkips(ctx); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if _, err := s.layChunks(ctx); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if err := s.mergeFullText(ctx); err != nil {
		return fmt.Errorf("optimize full-text index: %w", err)
	}
	return nil
}

// Merging the full-text index: mergePages pages per step, each step a
// transaction of its own followed by a pause as long as it took (at least
// mergeYield), until a step finds nothing left to merge.
const (
	mergePages = 200
	mergeYield = 20 * time.Millisecond
)

// mergeFullText merges the FTS5 index's segments into one, as 'optimize'
// does, but in bounded steps: a negative 'merge' puts every segment on one
// level and merges up to that many pages; a step that changes fewer than
// two rows had nothing left to do (FTS5's documented test).
//
// It does at most twice the index's pages of merging: a bot saving
// meanwhile adds a segment at every save, and a merge of every segment
// starts over with each, so an unbounded merge beside a bot capturing 50
// entries a second never ended (100k import: over 20 minutes, 11 GB
// written). FTS5's automerge keeps what is left in order.
func (s *Store) mergeFullText(ctx context.Context) error {
	var pages int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM entries_fts_data`).Scan(&pages); err != nil {
		return err
	}
	for step := int64(0); step <= 2*pages/mergePages; step++ {
		start := time.Now()
		var changed int64
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			var before, after int64
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', ?)`, -mergePages); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
				return err
			}
			changed = after - before
			return nil
		})
		if err != nil || changed < 2 {
			return err
		}
		if err := sleepFor(ctx, max(time.Since(start), mergeYield)); err != nil {
			return err
		}
	}
	return nil
}

func sleepFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rebound tightens every stem's bound to the largest of its chunks'
// bounds (after entries were forgotten or lost votes), from the chunks'
// bound column alone: no posting is decoded. The averages bounds are
// computed at stay those of the first fold: a chunk's bound remains valid
// for any averages, scaled by avgDrift when they have grown.
func rebound(ctx context.Context, tx foldTx) error {
	_, err := tx.ExecContext(ctx, `UPDATE search_terms SET ub = coalesce(
		(SELECT max(bound) FROM search_postings p WHERE p.term = search_terms.term), ub)`)
	return err
}
