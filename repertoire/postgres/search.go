package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// maxLexeme is the longest stem the tsvector keeps (PostgreSQL's limit is
// 2 KiB); a longer "word" still counts in the statistics, so the ranking is
// the same, but cannot be found by it (a query word is at most 64 bytes,
// so only a prefix expansion could reach it).
const maxLexeme = 2046

// Search finds the entries that best answer the text, among those the asking
// channel may see, ranked exactly as the SQLite store ranks them (package
// repertoire's Recall): candidates are the entries whose stems hold one of
// the query's words (with phrases, all of the phrases' words), read from the
// GIN index under the visibility and filter clause, and each is scored in
// full. It never fails on what a member typed; errors are the database's.
func (s *Store) Search(ctx context.Context, p repertoire.SearchParams) ([]repertoire.Hit, error) {
	return s.search(ctx, p, false)
}

// SearchExhaustive ranks every entry the asking channel may see, without the
// index: the reference Search is checked against.
func (s *Store) SearchExhaustive(ctx context.Context, p repertoire.SearchParams) ([]repertoire.Hit, error) {
	return s.search(ctx, p, true)
}

func (s *Store) search(ctx context.Context, p repertoire.SearchParams, exhaustive bool) ([]repertoire.Hit, error) {
	r := repertoire.NewRecall(p)
	if r == nil {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	where, args := searchWhere(p, r.Filters())
	page := s.boundPage
	if page <= 0 {
		page = max(boundPage, 4*r.Limit())
	}
	hits, err := runRecall(ctx, tx, r, where, args, exhaustive, page)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for i := range hits {
		if hits[i].Savers, err = loadSavers(ctx, tx, hits[i].ID); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	return hits, nil
}

func runRecall(ctx context.Context, tx *dbTx, r *repertoire.Recall, where string, args []any, exhaustive bool, page int) ([]repertoire.Hit, error) {
	if r.FiltersOnly() {
		// The newest matching entries; as in the SQLite store, at most four
		// times the limit are read, excluded words set aside.
		rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE `+where+`
			ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, append(args, r.Limit()*4)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return nil, err
			}
			if !r.AddNewest(e) {
				break
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return r.Hits(), nil
	}
	var tot repertoire.IndexTotals
	if err := tx.QueryRowContext(ctx, `SELECT n, sum_q, sum_a, sum_t FROM search_stats WHERE id = 1`).
		Scan(&tot.N, &tot.Sum[0], &tot.Sum[1], &tot.Sum[2]); err != nil {
		return nil, fmt.Errorf("read search totals: %w", err)
	}
	ok, err := r.Prepare(ctx, tot, func(ctx context.Context, stem string) (int64, bool, error) {
		var df int64
		err := tx.QueryRowContext(ctx, `SELECT df FROM search_terms WHERE term = ?`, stem).Scan(&df)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return df, err == nil, err
	}, func(ctx context.Context, from, to string, limit int) ([]repertoire.StemDF, error) {
		rows, err := tx.QueryContext(ctx, `SELECT term, df FROM search_terms WHERE term > ? AND term < ? ORDER BY term LIMIT ?`,
			from, to, limit)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []repertoire.StemDF
		for rows.Next() {
			var st repertoire.StemDF
			if err := rows.Scan(&st.Stem, &st.DF); err != nil {
				return nil, err
			}
			out = append(out, st)
		}
		return out, rows.Err()
	})
	if !ok || err != nil {
		return nil, err
	}
	for {
		var err error
		if r.PhraseStems() == nil && !exhaustive {
			err = rankByBound(ctx, tx, r, where, args, page)
		} else {
			err = rankCandidates(ctx, tx, r, where, args, exhaustive)
		}
		if err != nil {
			return nil, err
		}
		hits := r.Hits()
		// No entry holds the phrases as typed: read them as words.
		if len(hits) > 0 || !r.DropPhrases() {
			return hits, nil
		}
	}
}

// rankCandidates feeds every candidate to r: with phrases, the entries
// holding all of their stems; otherwise those holding any word's stem.
func rankCandidates(ctx context.Context, tx *dbTx, r *repertoire.Recall, where string, args []any, exhaustive bool) error {
	var q string
	switch {
	case exhaustive:
		q = `SELECT ` + entryColumns + ` FROM entries e WHERE ` + where
	default:
		stems, op := r.PhraseStems(), " & "
		if stems == nil {
			stems, op = r.AnyStems(), " | "
		}
		var lex []string
		for _, st := range stems {
			if len(st) <= maxLexeme {
				lex = append(lex, tsQuote(st))
			}
		}
		if len(lex) == 0 {
			return nil
		}
		q = `SELECT ` + entryColumns + ` FROM search_docs d JOIN entries e ON e.id = d.id
			WHERE d.terms @@ ?::tsquery AND ` + where
		// The filter clause's placeholders are bare: they number on after
		// the tsquery's.
		args = append([]any{strings.Join(lex, op)}, args...)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
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

// boundPage is how many candidates one read of rankByBound takes.
const boundPage = 64

// rankByBound feeds r the candidates that may enter its top k, best bound
// first: the postings of the query's stems give each visible entry its
// exact BM25F, which with every pair's proximity ceiling and the largest
// prior its votes, feedback and (for a how-to question) kind allow bounds
// its score. Candidates are scored in full from their text a page at a
// time, until the next page's bounds fall below the k-th score: the result
// is the top k of the full ranking (MaxScore's rule, Turtle and Flood 1995),
// reading the text of few entries even for common words.
func rankByBound(ctx context.Context, tx *dbTx, r *repertoire.Recall, where string, args []any, page int) error {
	terms := r.Terms()
	if len(terms) == 0 {
		return nil
	}
	var stems []string
	var index []int64
	idf := make([]float64, len(terms))
	for i, t := range terms {
		idf[i] = t.IDF
		for _, st := range t.Stems {
			stems = append(stems, st)
			index = append(index, int64(i))
		}
	}
	w, k1, b := repertoire.BM25F()
	avg := r.Averages()
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	norm := func(f int, tf, l string) string {
		return num(w[f]) + "*" + tf + "::float8/(" + num(1-b) + "+" + num(b) + "*" + l + "::float8/" + num(avg[f]) + ")"
	}
	prox := "0"
	for _, p := range r.Pairs() {
		mask := int64(1)<<p.A | int64(1)<<p.B
		prox += fmt.Sprintf(" + CASE WHEN s.mask & %d = %d THEN %s ELSE 0 END", mask, mask, num(p.Ceiling))
	}
	// PriorOf (rank.go) without its kind factor, times the kind factor's
	// ceiling: at least the prior of any entry.
	prior := `(1 + 0.1*ln(1 + greatest(e.votes, 0)::float8)) * (1 + 0.2*(e.helpful - e.unhelpful)::float8/(e.helpful + e.unhelpful + 2)) * ` +
		num(repertoire.PriorCeiling(r.HowTo()))
	q := `WITH q AS (SELECT * FROM unnest(?::text[], ?::int[]) AS q(stem, ti)),
		m AS (SELECT p.id, q.ti, sum(p.tf_q) AS tq, sum(p.tf_a) AS ta, sum(p.tf_t) AS tt,
				max(p.len_q) AS lq, max(p.len_a) AS la, max(p.len_t) AS lt
			FROM q JOIN search_postings p ON p.term = q.stem COLLATE "C" GROUP BY p.id, q.ti),
		n AS (SELECT id, ti, ` + norm(0, "tq", "lq") + ` + ` + norm(1, "ta", "la") + ` + ` + norm(2, "tt", "lt") + ` AS tfn FROM m),
		s AS (SELECT id, sum((?::float8[])[ti + 1] * tfn * ` + num(k1+1) + ` / (` + num(k1) + ` + tfn)) AS bm,
				bit_or(1::bigint << ti) AS mask FROM n GROUP BY id)
		SELECT e.id, (s.bm + ` + prox + `) * ` + prior + ` AS bound
		FROM s JOIN entries e ON e.id = s.id
		WHERE ` + where + `
		ORDER BY bound DESC, e.id DESC LIMIT ? OFFSET ?`
	// The bounds aggregate every posting of the query's stems: in memory
	// (no spill to disk), and in this process's one backend (parallel
	// workers would each redo the aggregation).
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '32MB'`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return err
	}
	// Floating point: PostgreSQL's sums may round apart from Go's by a few
	// ulps; a bound is trusted only with this margin.
	const margin = 1 + 1e-9
	// Pages grow, so that a query that must read many candidates pays for
	// recomputing the bounds (OFFSET) a few times only.
	for offset := 0; ; offset, page = offset+page, page*2 {
		qargs := append(append([]any{pgTextArray(stems), pgIntArray(index), pgFloatArray(idf)}, args...), page, offset)
		rows, err := tx.QueryContext(ctx, q, qargs...)
		if err != nil {
			return err
		}
		var ids []int64
		var last float64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id, &last); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		// Entries whose bound cannot reach the k-th score are not read.
		if err := loadAndAdd(ctx, tx, r, ids); err != nil {
			return err
		}
		if len(ids) < page || last*margin < r.Threshold() {
			return nil
		}
	}
}

// loadAndAdd reads entries by ID and hands them to r.
func loadAndAdd(ctx context.Context, tx *dbTx, r *repertoire.Recall, ids []int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e
		WHERE e.id IN (SELECT value::bigint FROM json_array_elements_text(?::json))`, jsonList(ids))
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

// pgTextArray, pgIntArray and pgFloatArray write arrays in PostgreSQL's
// text form (values are stems of letters and digits, and numbers).
func pgTextArray(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(q, ",") + "}"
}

func pgIntArray(v []int64) string {
	q := make([]string, len(v))
	for i, n := range v {
		q[i] = strconv.FormatInt(n, 10)
	}
	return "{" + strings.Join(q, ",") + "}"
}

func pgFloatArray(v []float64) string {
	q := make([]string, len(v))
	for i, f := range v {
		q[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return "{" + strings.Join(q, ",") + "}"
}

// tsQuote quotes a stem as one tsvector or tsquery lexeme.
func tsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// searchWhere is the visibility rule and the query's filters as one clause
// over entries e, with bare placeholders only (SQLite store: buildFilters).
func searchWhere(p repertoire.SearchParams, f repertoire.RecallFilters) (string, []any) {
	var vis string
	var args []any
	switch {
	case p.Audience != nil:
		vis, args = audienceWhere(*p.Audience, "e")
	case p.From.Platform == "":
		vis = `e.private = 0`
	case len(p.Spaces) == 0:
		vis = `(e.platform = ? AND e.space = ? AND (e.private = 0 OR e.channel_id = ?))`
		args = []any{p.From.Platform, p.From.Space, p.From.ID}
	default:
		vis = `(e.platform = ? AND ((e.space = ? AND (e.private = 0 OR e.channel_id = ?))
			OR (e.private = 0 AND e.space IN (SELECT value FROM json_array_elements_text(?::json)))))`
		args = []any{p.From.Platform, p.From.Space, p.From.ID, jsonList(p.Spaces)}
	}
	conds := []string{vis}
	for _, t := range f.Tags {
		conds = append(conds, `(' ' || e.tags || ' ') LIKE ? ESCAPE '\'`)
		args = append(args, "% "+likeEscape(t)+" %")
	}
	anyOf := func(values []string, clause string, per int) {
		if len(values) == 0 {
			return
		}
		var alts []string
		for _, v := range values {
			alts = append(alts, clause)
			for range per {
				args = append(args, v)
			}
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	anyOf(kinds, `e.kind = ?`, 1)
	anyOf(f.From, `(e.author_id = ? OR lower(e.author_name) = lower(?))`, 2)
	anyOf(f.In, `(e.channel_id = ? OR lower(e.channel_name) = lower(?))`, 2)
	return strings.Join(conds, " AND "), args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// foldPending brings the search index up to date with the entries the
// writing transaction changed (noted in search_dirty by a trigger), before
// it commits: each entry's stems and field lengths, the stems' document
// frequencies and the totals.
func foldPending(ctx context.Context, tx *dbTx) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM search_dirty RETURNING id`)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("search index: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		if err := fold(ctx, tx, ids[:n]); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

type indexedDoc struct {
	stems []string
	tf    map[string][3]int // per stem, as now (not read back for the old text)
	lens  [3]int
}

// fold re-indexes the entries ids (deleted ones leave the index).
func fold(ctx context.Context, tx *dbTx, ids []int64) error {
	list := jsonList(ids)
	old := map[int64]indexedDoc{}
	rows, err := tx.QueryContext(ctx, `SELECT id, array_to_json(stems)::text, len_q, len_a, len_t FROM search_docs
		WHERE id IN (SELECT value::bigint FROM json_array_elements_text(?::json))`, list)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var stems string
		var d indexedDoc
		if err := rows.Scan(&id, &stems, &d.lens[0], &d.lens[1], &d.lens[2]); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(stems), &d.stems); err != nil {
			rows.Close()
			return err
		}
		old[id] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	cur := map[int64]indexedDoc{}
	rows, err = tx.QueryContext(ctx, `SELECT id, question, answer, tags FROM entries
		WHERE id IN (SELECT value::bigint FROM json_array_elements_text(?::json))`, list)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var q, a, t string
		if err := rows.Scan(&id, &q, &a, &t); err != nil {
			rows.Close()
			return err
		}
		var d indexedDoc
		d.tf, d.lens = repertoire.DocTermFreqs(q, a, t)
		for st := range d.tf {
			d.stems = append(d.stems, st)
		}
		sort.Strings(d.stems)
		cur[id] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	df := map[string]int64{}
	var dn int64
	var dsum [3]int64
	var gone []int64
	type docRow struct {
		ID    int64    `json:"id"`
		Terms string   `json:"terms"`
		Stems []string `json:"stems"`
		Lens  [3]int   `json:"lens"`
	}
	var docs []docRow
	type postingRow struct {
		Term string `json:"t"`
		ID   int64  `json:"i"`
		TF   [3]int `json:"f"`
		Lens [3]int `json:"l"`
	}
	var drop, add []postingRow
	for _, id := range ids {
		o, had := old[id]
		c, has := cur[id]
		if had {
			dn--
			for f := range 3 {
				dsum[f] -= int64(o.lens[f])
			}
			for _, st := range o.stems {
				df[st]--
				drop = append(drop, postingRow{Term: st, ID: id})
			}
		}
		if has {
			dn++
			for f := range 3 {
				dsum[f] += int64(c.lens[f])
			}
			for _, st := range c.stems {
				df[st]++
				add = append(add, postingRow{st, id, c.tf[st], c.lens})
			}
			var lex []string
			for _, st := range c.stems {
				if len(st) <= maxLexeme {
					lex = append(lex, tsQuote(st))
				}
			}
			docs = append(docs, docRow{id, strings.Join(lex, " "), c.stems, c.lens})
		} else if had {
			gone = append(gone, id)
		}
	}
	if len(drop) > 0 {
		b, err := json.Marshal(drop)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_postings p USING json_to_recordset(?::json) AS d(t text, i bigint)
			WHERE p.term = d.t COLLATE "C" AND p.id = d.i`, string(b)); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		b, err := json.Marshal(add)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_postings (term, id, tf_q, tf_a, tf_t, len_q, len_a, len_t)
			SELECT d->>'t', (d->>'i')::bigint, (d->'f'->>0)::integer, (d->'f'->>1)::integer, (d->'f'->>2)::integer,
				(d->'l'->>0)::integer, (d->'l'->>1)::integer, (d->'l'->>2)::integer
			FROM json_array_elements(?::json) AS d`, string(b)); err != nil {
			return err
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE id IN (SELECT value::bigint FROM json_array_elements_text(?::json))`,
			jsonList(gone)); err != nil {
			return err
		}
	}
	// Frequencies change in stem order, so concurrent writers (there are
	// none under the writers' lock, but a manual fold could be one) lock
	// rows in the same order.
	var terms []string
	var deltas []int64
	for st, d := range df {
		if d != 0 {
			terms = append(terms, st)
		}
	}
	sort.Strings(terms)
	for _, st := range terms {
		deltas = append(deltas, df[st])
	}
	if len(terms) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_terms (term, df)
			SELECT t, d::bigint FROM json_array_elements_text(?::json) WITH ORDINALITY AS a(t, i)
			JOIN json_array_elements_text(?::json) WITH ORDINALITY AS b(d, j) ON i = j
			ORDER BY t
			ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df`,
			jsonList(terms), jsonList(deltas)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_terms WHERE df <= 0
			AND term IN (SELECT value FROM json_array_elements_text(?::json))`, jsonList(terms)); err != nil {
			return err
		}
	}
	if dn != 0 || dsum != [3]int64{} {
		if _, err := tx.ExecContext(ctx, `UPDATE search_stats SET n = n + ?, sum_q = sum_q + ?, sum_a = sum_a + ?,
			sum_t = sum_t + ? WHERE id = 1`, dn, dsum[0], dsum[1], dsum[2]); err != nil {
			return err
		}
	}
	return nil
}
