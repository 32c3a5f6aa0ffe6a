package postgres

import (
	"context"
	"database/sql"
	"fmt"
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
// repertoire's Recall): the top k of the full ranking, found by pruning
// over the chunked postings of the query's words (searchprune.go); with
// phrases, the candidates are the entries holding all of the phrases'
// words, read from the GIN index under the visibility and filter clause,
// each scored in full. It never fails on what a member typed; errors are
// the database's.
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
	hits, err := runRecall(ctx, tx, r, where, args, exhaustive, s.prune)
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

func runRecall(ctx context.Context, tx *dbTx, r *repertoire.Recall, where string, args []any, exhaustive bool, o pruneOptions) ([]repertoire.Hit, error) {
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
		// search_terms counts merged postings; the pending ones are
		// counted here (migration 0005).
		var df sql.NullInt64
		var pending int64
		err := tx.QueryRowContext(ctx, `SELECT (SELECT df FROM search_terms WHERE term = ?1),
			(SELECT count(*) FROM search_pending WHERE term = ?1)`, stem).Scan(&df, &pending)
		if err != nil {
			return 0, false, err
		}
		return df.Int64 + pending, df.Valid || pending > 0, nil
	}, func(ctx context.Context, from, to string, limit int) ([]repertoire.StemDF, error) {
		rows, err := tx.QueryContext(ctx, `SELECT term, sum(df)::bigint FROM (
				SELECT term, df FROM search_terms WHERE term > ?1 AND term < ?2
				UNION ALL SELECT term, count(*) FROM search_pending WHERE term > ?1 AND term < ?2 GROUP BY term) AS t
			GROUP BY term ORDER BY term LIMIT ?3`, from, to, limit)
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
			err = rankByChunks(ctx, tx, r, where, args, o)
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

// tsQuote quotes a stem as one tsvector or tsquery lexeme.
func tsQuote(s string) string {
	if !strings.ContainsAny(s, `\'`) {
		return "'" + s + "'" // most stems (a bulk build quotes each of every entry)
	}
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
