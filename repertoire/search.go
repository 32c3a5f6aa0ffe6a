package repertoire

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
)

// SearchParams is a recall request.
type SearchParams struct {
	Text  string  // what the member typed; never reaches MATCH raw
	From  Channel // the channel asking: its private entries are visible, no other channel's are
	Limit int     // 3 when zero
}

// Hit is an entry found by Search with the part of its text that matched.
type Hit struct {
	Entry
	Snippet string
	Score   float64 // lower is better (bm25)
}

// maxQueryTerms bounds the work one recall can cause, whatever is typed.
const maxQueryTerms = 24

// Search finds the entries that best answer the text, among those the asking
// channel may see: public entries and the asking channel's own.
func (s *Store) Search(ctx context.Context, p SearchParams) ([]Hit, error) {
	if p.Limit <= 0 {
		p.Limit = 3
	}
	match := MatchExpression(p.Text)
	if match == "" {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+`,
			snippet(entries_fts, 1, '*', '*', '…', 24), bm25(entries_fts, 4.0, 1.0, 2.0) AS score
		FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
		WHERE entries_fts MATCH ?1
		  AND (e.private = 0 OR (e.platform = ?2 AND e.space = ?3 AND e.channel_id = ?4))
		ORDER BY score - 0.5 * ln(1 + e.votes), e.created_at DESC
		LIMIT ?5`, match, p.From.Platform, p.From.Space, p.From.ID, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var hits []Hit
	for rows.Next() {
		var h Hit
		if h.Entry, err = scanEntry(rows, &h.Snippet, &h.Score); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for i := range hits {
		if hits[i].Savers, err = loadSavers(ctx, tx, hits[i].ID); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	return hits, nil
}

// Terms splits text into the lower-case words a search looks for: letters and
// digits only, stop words dropped, duplicates once, at most maxQueryTerms.
// Whatever the text holds (FTS5 operators, quotes, invalid UTF-8), only words
// come out.
func Terms(text string) []string {
	text = cleanText(text)
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		if stopWords[w] || seen[w] || len(w) > 64 {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == maxQueryTerms {
			break
		}
	}
	return out
}

// MatchExpression turns member text into a safe FTS5 query: each word quoted
// as a string (so no operator, column filter or prefix can be injected) and
// the words joined with OR, for bm25 to rank. Empty when no word is left.
func MatchExpression(text string) string {
	terms := Terms(text)
	for i, t := range terms {
		terms[i] = `"` + t + `"`
	}
	return strings.Join(terms, " OR ")
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about after again all also am an and any are as at be because been
		before being but by can could did do does doing done for from get got had has have having he her here
		him his how i if in into is it its just let me my no nor not of off on once only or other our out
		over own please same she should so some such than that the their them then there these they this
		those to too under until up very was we were what when where which while who whom why will with
		would you your yours anyone anybody someone know tell way need want thanks hi hello hey`) {
		m[w] = true
	}
	return m
}()
