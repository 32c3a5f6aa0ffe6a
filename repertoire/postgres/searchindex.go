package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// The search index (migrations 0001 and 0002): per entry its stems as a
// tsvector (phrase candidates, under GIN) and field lengths (search_docs);
// per stem its document frequency, bound and largest prior (search_terms)
// and its postings in chunks (search_chunks); the totals (search_stats).
// Triggers note each changed entry in search_dirty, and the writing
// transaction folds the noted entries in before it commits, so a search
// always sees an index that agrees with the entries.

const (
	// chunkSize is the postings per chunk; a chunk grown past twice this by
	// insertions in the middle is split.
	chunkSize = 128
	// foldStep is how many entries one pass of a large fold holds in memory.
	foldStep = 5_000
	// bulkFold is how many entries a fold takes to write their postings
	// into the chunks at once; a smaller fold's new entries (a member's
	// saves) leave theirs in search_pending for the merge (searchmerge.go).
	bulkFold = 32
)

// posting is one entry holding one stem, in the chunk format both stores
// share (repertoire.EncodeChunk).
type posting = repertoire.Posting

var errCorrupt = repertoire.ErrCorruptChunk

func encodeChunk(ps []posting) []byte { return repertoire.EncodeChunk(ps) }

// decodeChunk reads a chunk whose first posting is entry first, into fresh
// slices.
func decodeChunk(first int64, b []byte) ([]posting, error) {
	ps, _, err := repertoire.DecodeChunk(first, b, nil, nil)
	return ps, err
}

// docTerms is an entry's text as the index sees it: per stem, its
// positions in each field, and the fields' lengths. memo keeps the stems
// of words seen before (a fold stems many entries).
func docTerms(question, answer, tags string, memo map[string]string) (map[string]*[3][]int32, [3]int) {
	terms := map[string]*[3][]int32{}
	var lens [3]int
	for f, text := range [3]string{question, answer, tags} {
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

// indexStats are the totals of search_stats.
type indexStats struct {
	n       int64
	sum     [3]int64
	bound   [3]float64 // the averages bounds are computed at
	pending int64      // rows in search_pending
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
	err := q.QueryRowContext(ctx, `SELECT n, sum_q, sum_a, sum_t, bound_q, bound_a, bound_t, pending FROM search_stats WHERE id = 1`).
		Scan(&st.n, &st.sum[0], &st.sum[1], &st.sum[2], &st.bound[0], &st.bound[1], &st.bound[2], &st.pending)
	if err != nil {
		return st, fmt.Errorf("read search totals: %w", err)
	}
	return st, nil
}

// postingBound is what a chunk's bound keeps for one posting: its
// saturated weight at the bound averages times its prior without the kind
// factor.
func postingBound(p *posting, avg [3]float64) float64 {
	return repertoire.Saturate(repertoire.TfnOf(p.TF, p.Lens, avg)) * repertoire.PriorOf(p.Prior, false)
}

func chunkBound(ps []posting, avg [3]float64) float64 {
	var b float64
	for i := range ps {
		b = max(b, postingBound(&ps[i], avg))
	}
	return b
}

// foldPending brings the search index up to date with the entries the
// writing transaction changed (noted in search_dirty by triggers), before
// it commits, foldStep entries at a time. It returns how many postings
// wait in search_pending afterwards, or -1 when nothing was folded. On an
// empty index, buildAt entries or more (bulkBuildAt when 0) are indexed in
// one pass (buildIndex).
func foldPending(ctx context.Context, tx *dbTx, chunk, buildAt int) (int64, error) {
	if chunk <= 0 {
		chunk = chunkSize
	}
	rows, err := tx.QueryContext(ctx, `DELETE FROM search_dirty RETURNING id`)
	if err != nil {
		return -1, fmt.Errorf("search index: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return -1, fmt.Errorf("search index: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return -1, fmt.Errorf("search index: %w", err)
	}
	if len(ids) == 0 {
		return -1, nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if buildAt <= 0 {
		buildAt = bulkBuildAt
	}
	if len(ids) >= buildAt {
		built, err := buildIndex(ctx, tx, ids, chunk)
		if err != nil {
			return -1, fmt.Errorf("search index: %w", err)
		}
		if built {
			return 0, nil
		}
	}
	var pending int64
	for len(ids) > 0 {
		n := min(len(ids), foldStep)
		var err error
		if pending, err = fold(ctx, tx, ids[:n], chunk); err != nil {
			return -1, fmt.Errorf("search index: %w", err)
		}
		ids = ids[n:]
	}
	return pending, nil
}

// stemChange is what a fold changes of one stem: entries leaving its
// postings and postings added or replaced (both by ascending ID).
type stemChange struct {
	rm   []int64
	add  []posting
	pend []posting // new entries' postings, for search_pending
	df   int64
}

// fold re-indexes the entries ids, ascending (deleted ones leave the
// index), and returns the rows search_pending holds afterwards.
func fold(ctx context.Context, tx *dbTx, ids []int64, chunk int) (int64, error) {
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return -1, err
	}
	err = foldInto(ctx, tx, ids, chunk, &st)
	return st.pending, err
}

func foldInto(ctx context.Context, tx *dbTx, ids []int64, chunk int, st *indexStats) error {
	changes := map[string]*stemChange{}
	change := func(s string) *stemChange {
		c := changes[s]
		if c == nil {
			c = &stemChange{}
			changes[s] = c
		}
		return c
	}
	// What the index holds of them now.
	// (The range lets the planner read a large fold's rows by the primary
	// key even before statistics know the table's size.)
	lo, hi := ids[0], ids[len(ids)-1]
	rows, err := tx.QueryContext(ctx, `SELECT id, array_to_json(stems)::text, len_q, len_a, len_t FROM search_docs
		WHERE id = ANY(?::bigint[]) AND id BETWEEN ? AND ? ORDER BY id`, ids, lo, hi)
	if err != nil {
		return err
	}
	had := map[int64]bool{}
	for rows.Next() {
		var id int64
		var stems string
		var lens [3]int64
		if err := rows.Scan(&id, &stems, &lens[0], &lens[1], &lens[2]); err != nil {
			rows.Close()
			return err
		}
		var list []string
		if err := json.Unmarshal([]byte(stems), &list); err != nil {
			rows.Close()
			return err
		}
		had[id] = true
		st.n--
		for f := range 3 {
			st.sum[f] -= lens[f]
		}
		for _, s := range list {
			c := change(s)
			c.rm = append(c.rm, id)
			c.df--
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// What they hold now.
	type docRow struct {
		ID    int64    `json:"id"`
		Terms string   `json:"terms"`
		Stems []string `json:"stems"`
		Lens  [3]int   `json:"lens"`
	}
	var docs []docRow
	has := map[int64]bool{}
	memo := map[string]string{}
	rows, err = tx.QueryContext(ctx, `SELECT id, question, answer, tags, votes, helpful, unhelpful, kind FROM entries
		WHERE id = ANY(?::bigint[]) AND id BETWEEN ? AND ? ORDER BY id`, ids, lo, hi)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			id      int64
			q, a, t string
			pr      repertoire.PriorInputs
			kind    string
		)
		if err := rows.Scan(&id, &q, &a, &t, &pr.Votes, &pr.Helpful, &pr.Unhelpful, &kind); err != nil {
			rows.Close()
			return err
		}
		pr.Kind = repertoire.Kind(kind)
		terms, lens := docTerms(q, a, t, memo)
		has[id] = true
		st.n++
		for f := range 3 {
			st.sum[f] += int64(lens[f])
		}
		d := docRow{ID: id, Lens: lens}
		var lex []string
		for s, pos := range terms {
			p := posting{ID: id, Lens: lens, Prior: pr, Pos: *pos}
			for f := range 3 {
				p.TF[f] = len(pos[f])
			}
			c := change(s)
			if len(ids) < bulkFold && !had[id] {
				c.pend = append(c.pend, p) // counted by searches, not in search_terms
			} else {
				c.add = append(c.add, p)
				c.df++
			}
			d.Stems = append(d.Stems, s)
		}
		sort.Strings(d.Stems)
		for _, s := range d.Stems {
			if len(s) <= maxLexeme {
				lex = append(lex, tsQuote(s))
			}
		}
		d.Terms = strings.Join(lex, " ")
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if st.bound[0] <= 0 && st.n > 0 {
		// The first fold fixes the averages bounds are computed at.
		st.bound = st.avg()
	}
	var gone []int64
	for _, id := range ids {
		if had[id] && !has[id] {
			gone = append(gone, id)
		}
	}
	if len(docs) > 0 {
		b, err := json.Marshal(docs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (id, terms, stems, len_q, len_a, len_t)
			SELECT (d->>'id')::bigint, (d->>'terms')::tsvector, ARRAY(SELECT json_array_elements_text(d->'stems')),
				(d->'lens'->>0)::integer, (d->'lens'->>1)::integer, (d->'lens'->>2)::integer
			FROM json_array_elements(?::json) AS d
			ON CONFLICT (id) DO UPDATE SET terms = excluded.terms, stems = excluded.stems,
				len_q = excluded.len_q, len_a = excluded.len_a, len_t = excluded.len_t`, string(b)); err != nil {
			return err
		}
	}
	if len(gone) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE id = ANY(?::bigint[])`, gone); err != nil {
			return err
		}
	}
	stems := make([]string, 0, len(changes))
	for s := range changes {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	// Entries changed or gone lose their pending postings; the chunks'
	// ones go in writeChunks, with the postings of changed entries.
	dropped, err := dropPending(ctx, tx, stems, changes)
	if err != nil {
		return err
	}
	added, err := putPending(ctx, tx, stems, changes)
	if err != nil {
		return err
	}
	st.pending += added - dropped
	var chunked []string
	for _, s := range stems {
		if c := changes[s]; len(c.rm) > 0 || len(c.add) > 0 {
			chunked = append(chunked, s)
		}
	}
	if err := writeChunks(ctx, tx, chunked, changes, st.bound, chunk); err != nil {
		return err
	}
	if err := writeTerms(ctx, tx, stems, changes); err != nil {
		return err
	}
	return writeStats(ctx, tx, st)
}

func writeStats(ctx context.Context, tx *dbTx, st *indexStats) error {
	_, err := tx.ExecContext(ctx, `UPDATE search_stats SET n = ?, sum_q = ?, sum_a = ?, sum_t = ?, bound_q = ?, bound_a = ?, bound_t = ?,
		pending = ? WHERE id = 1`, st.n, st.sum[0], st.sum[1], st.sum[2], st.bound[0], st.bound[1], st.bound[2], st.pending)
	return err
}

// dropPending deletes the pending postings of the stems' removed entries,
// takes them out of the removals left for the chunks, and reports how
// many it deleted.
func dropPending(ctx context.Context, tx *dbTx, stems []string, changes map[string]*stemChange) (int64, error) {
	var terms []string
	var ids []int64
	for _, s := range stems {
		for _, id := range changes[s].rm {
			terms, ids = append(terms, s), append(ids, id)
		}
	}
	if len(terms) == 0 {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `DELETE FROM search_pending p USING unnest(?::text[], ?::bigint[]) AS k(term, id)
		WHERE p.term = k.term COLLATE "C" AND p.id = k.id RETURNING p.term, p.id`, terms, ids)
	if err != nil {
		return 0, err
	}
	gone := map[chunkKey]bool{}
	for rows.Next() {
		var k chunkKey
		if err := rows.Scan(&k.term, &k.first); err != nil {
			rows.Close()
			return 0, err
		}
		gone[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(gone) == 0 {
		return 0, err
	}
	for _, s := range stems {
		c := changes[s]
		keep := c.rm[:0]
		for _, id := range c.rm {
			if !gone[chunkKey{s, id}] {
				keep = append(keep, id)
			} else {
				c.df++ // a pending posting: search_terms did not count it
			}
		}
		c.rm = keep
	}
	return int64(len(gone)), nil
}

// putPending writes new entries' postings to search_pending, one row per
// stem and entry, in one statement, and reports how many.
func putPending(ctx context.Context, tx *dbTx, stems []string, changes map[string]*stemChange) (int64, error) {
	var terms []string
	var ids []int64
	var data [][]byte
	for _, s := range stems {
		for _, p := range changes[s].pend {
			terms, ids, data = append(terms, s), append(ids, p.ID), append(data, encodeChunk([]posting{p}))
		}
	}
	if len(terms) == 0 {
		return 0, nil
	}
	// (A row left by an earlier fold of the entry was dropped above: the
	// conflict cannot happen, but must not fail a save if it did.)
	res, err := tx.ExecContext(ctx, `INSERT INTO search_pending (term, id, data)
		SELECT * FROM unnest(?::text[], ?::bigint[], ?::bytea[])
		ON CONFLICT (term, id) DO UPDATE SET data = excluded.data`, terms, ids, data)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// writeTerms applies the stems' document frequency changes and raises
// their largest prior to that of their new postings (it is never lowered
// here: Optimize tightens it).
func writeTerms(ctx context.Context, tx *dbTx, stems []string, changes map[string]*stemChange) error {
	var terms []string
	var dfs []int64
	var pmaxs []float64
	for _, s := range stems {
		c := changes[s]
		var pmax float64
		for i := range c.add {
			pmax = max(pmax, repertoire.PriorOf(c.add[i].Prior, false))
		}
		if c.df == 0 && len(c.add) == 0 {
			continue
		}
		terms, dfs, pmaxs = append(terms, s), append(dfs, c.df), append(pmaxs, pmax)
	}
	if len(terms) == 0 {
		return nil
	}
	// In stem order, so that concurrent writers (there are none under the
	// writers' lock, but a manual fold could be one) lock rows in one order.
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_terms (term, df, pmax)
		SELECT * FROM unnest(?::text[], ?::bigint[], ?::float8[]) ORDER BY 1
		ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df,
			pmax = greatest(search_terms.pmax, excluded.pmax)`,
		terms, dfs, pmaxs); err != nil {
		return err
	}
	var fell []string
	for i, s := range terms {
		if dfs[i] < 0 {
			fell = append(fell, s)
		}
	}
	if len(fell) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM search_terms WHERE df <= 0 AND term = ANY(?::text[])`, fell)
	return err
}

// chunkKey names a stored chunk.
type chunkKey struct {
	term  string
	first int64
}

// writeChunks applies the stems' changes to their chunks: a new entry's
// postings go to the stem's last chunk (found from the index alone), a
// change elsewhere to the chunk whose range holds the entry (the one with
// the greatest first ID at or below it, else the lowest). Each changed
// chunk is read, merged, split when it grew too long, and written back.
func writeChunks(ctx context.Context, tx *dbTx, stems []string, changes map[string]*stemChange, avg [3]float64, chunk int) error {
	// The stems' last chunks, where new entries go: with their postings.
	tails := map[string]int64{}
	data := map[chunkKey][]byte{}
	rows, err := tx.QueryContext(ctx, `SELECT t.term, c.first, c.data FROM unnest(?::text[]) AS t(term)
		CROSS JOIN LATERAL (SELECT first, data FROM search_chunks WHERE term = t.term COLLATE "C" ORDER BY first DESC LIMIT 1) c`, stems)
	if err != nil {
		return err
	}
	for rows.Next() {
		var term string
		var first int64
		var b []byte
		if err := rows.Scan(&term, &first, &b); err != nil {
			rows.Close()
			return err
		}
		tails[term] = first
		data[chunkKey{term, first}] = b
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Changes before a stem's last chunk: which chunk holds each.
	var lookTerms []string
	var lookIDs []int64
	for _, s := range stems {
		tail, ok := tails[s]
		if !ok {
			continue
		}
		c := changes[s]
		for _, id := range c.rm {
			if id < tail {
				lookTerms, lookIDs = append(lookTerms, s), append(lookIDs, id)
			}
		}
		for _, p := range c.add {
			if p.ID < tail {
				lookTerms, lookIDs = append(lookTerms, s), append(lookIDs, p.ID)
			}
		}
	}
	type termID struct {
		term string
		id   int64
	}
	at := map[termID]int64{}
	if len(lookTerms) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT k.term, k.id, coalesce(
				(SELECT max(first) FROM search_chunks WHERE term = k.term COLLATE "C" AND first <= k.id),
				(SELECT min(first) FROM search_chunks WHERE term = k.term COLLATE "C"))
			FROM unnest(?::text[], ?::bigint[]) AS k(term, id)`, lookTerms, lookIDs)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k termID
			var first int64
			if err := rows.Scan(&k.term, &k.id, &first); err != nil {
				rows.Close()
				return err
			}
			at[k] = first
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	// Group each stem's changes by chunk; math.MinInt64 is a stem's first
	// chunk, when it has none.
	type chunkChange struct {
		rm  []int64
		add []posting
	}
	groups := map[chunkKey]*chunkChange{}
	var order []chunkKey
	var readTerms, wantTerms []string // chunks changed, and those of them not read yet
	var readFirsts, wantFirsts []int64
	group := func(s string, id int64) *chunkChange {
		k := chunkKey{s, math.MinInt64}
		if tail, ok := tails[s]; ok {
			k.first = tail
			if id < tail {
				k.first = at[termID{s, id}]
			}
		}
		g := groups[k]
		if g == nil {
			g = &chunkChange{}
			groups[k] = g
			order = append(order, k)
			if k.first != math.MinInt64 {
				readTerms, readFirsts = append(readTerms, s), append(readFirsts, k.first)
				if _, ok := data[k]; !ok {
					wantTerms, wantFirsts = append(wantTerms, s), append(wantFirsts, k.first)
				}
			}
		}
		return g
	}
	for _, s := range stems {
		c := changes[s]
		for _, id := range c.rm {
			g := group(s, id)
			g.rm = append(g.rm, id)
		}
		for _, p := range c.add {
			g := group(s, p.ID)
			g.add = append(g.add, p)
		}
	}
	if len(wantTerms) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT c.term, c.first, c.data FROM unnest(?::text[], ?::bigint[]) AS k(term, first)
			JOIN search_chunks c ON c.term = k.term COLLATE "C" AND c.first = k.first`, wantTerms, wantFirsts)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k chunkKey
			var b []byte
			if err := rows.Scan(&k.term, &k.first, &b); err != nil {
				rows.Close()
				return err
			}
			data[k] = b
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var putTerms []string
	var putFirsts, putLasts []int64
	var putBounds []float64
	var putData [][]byte
	for _, k := range order {
		g := groups[k]
		var cur []posting
		if k.first != math.MinInt64 {
			b, ok := data[k]
			if !ok {
				return errCorrupt
			}
			if cur, err = decodeChunk(k.first, b); err != nil {
				return err
			}
		}
		sort.Slice(g.add, func(i, j int) bool { return g.add[i].ID < g.add[j].ID })
		gone := map[int64]bool{}
		for _, id := range g.rm {
			gone[id] = true
		}
		merged := make([]posting, 0, len(cur)+len(g.add))
		i, j := 0, 0
		for i < len(cur) || j < len(g.add) {
			switch {
			case j == len(g.add) || (i < len(cur) && cur[i].ID < g.add[j].ID):
				if !gone[cur[i].ID] {
					merged = append(merged, cur[i])
				}
				i++
			case i == len(cur) || g.add[j].ID < cur[i].ID:
				merged = append(merged, g.add[j])
				j++
			default: // the same entry: replaced
				merged = append(merged, g.add[j])
				i++
				j++
			}
		}
		// Split: the last chunk (or a stem's first) into full chunks; one
		// grown in the middle stays whole up to twice the size.
		tail, hasTail := tails[k.term]
		last := !hasTail || k.first == tail
		for len(merged) > 0 {
			n := len(merged)
			if n > 2*chunk || (last && n > chunk) {
				n = chunk
			}
			c := merged[:n]
			putTerms, putFirsts, putLasts = append(putTerms, k.term), append(putFirsts, c[0].ID), append(putLasts, c[len(c)-1].ID)
			putBounds, putData = append(putBounds, chunkBound(c, avg)), append(putData, encodeChunk(c))
			merged = merged[n:]
		}
	}
	// Chunks rewritten in place keep their key; those whose first entry
	// left (or that emptied) are deleted.
	put := map[chunkKey]bool{}
	for i := range putTerms {
		put[chunkKey{putTerms[i], putFirsts[i]}] = true
	}
	var delTerms []string
	var delFirsts []int64
	for i := range readTerms {
		if !put[chunkKey{readTerms[i], readFirsts[i]}] {
			delTerms, delFirsts = append(delTerms, readTerms[i]), append(delFirsts, readFirsts[i])
		}
	}
	if len(delTerms) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_chunks c USING unnest(?::text[], ?::bigint[]) AS k(term, first)
			WHERE c.term = k.term COLLATE "C" AND c.first = k.first`, delTerms, delFirsts); err != nil {
			return err
		}
	}
	if len(putTerms) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_chunks (term, first, last, bound, data)
			SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::float8[], ?::bytea[])
			ON CONFLICT (term, first) DO UPDATE SET last = excluded.last, bound = excluded.bound, data = excluded.data`,
			putTerms, putFirsts, putLasts, putBounds, putData); err != nil {
			return err
		}
	}
	return nil
}
