package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Top lists (migration 0023). The top 10 of a query of common words are
// entries whose contribution from each word is close to the word's bound:
// found among the few postings with the highest bounds, which are spread
// over the whole ID range, so every chunk of the stem holds some and
// block-max bounds pass over few. A stem with many postings therefore keeps
// a copy of its top postings (bound at least the stem's cut) in a short list
// of its own. Once the k-th score found passes what the words' cuts add up
// to, a search walks the top lists and only probes the long ones for the
// entries they bring (prune.go); before that, or when the cuts are too high
// for the query, it walks the long lists as before. The copy is kept in the
// fold (foldTop): correctness needs only that every posting at or above the
// cut is in the list, whatever the cut.

const (
	// defaultTopAt is the document frequency from which a stem has a top
	// list.
	defaultTopAt = 4096
	// defaultTopShare: a top list holds about 1/topShare of its stem's
	// postings when it is built.
	defaultTopShare = 16
)

// withTopLists sets the document frequency from which stems get a top list
// and the share they hold (tests give small repertoires top lists).
func withTopLists(at, share int) Option {
	return func(s *Store) { s.topAt, s.topShare = at, share }
}

// topTerms are the statements keeping a top list's totals in search_top;
// a list that empties keeps its row (and its cut).
var topTerms = [3]string{
	`SELECT df, ub, pmax FROM search_top WHERE term = ?`,
	`UPDATE search_top SET df = ?2, ub = ?3, pmax = ?4 WHERE term = ?1`,
	`UPDATE search_top SET df = 0 WHERE term = ?`,
}

// foldTop applies one fold's changes (remove: the IDs whose old postings
// go, per stem; add: the new postings, ascending) to the top lists of the
// stems that have one: a removed ID leaves the list, a new posting enters
// when its bound reaches the cut.
func foldTop(ctx context.Context, tx foldTx, bound [3]float64, chunk int, stems []string, remove map[string][]int64, add map[string][]posting) error {
	cuts, err := topCuts(ctx, tx, stems)
	if err != nil || len(cuts) == 0 {
		return err
	}
	tw, err := newListWriter(ctx, tx, bound, chunk, topTerms, "search_top_postings")
	if err != nil {
		return err
	}
	defer tw.close()
	for _, s := range stems {
		cut, ok := cuts[s]
		if !ok {
			continue
		}
		rm := slices.Clone(remove[s])
		slices.Sort(rm)
		var hi []posting
		for _, p := range add[s] {
			if tw.postingBound(p) >= cut {
				hi = append(hi, p)
			}
		}
		if len(rm) == 0 && len(hi) == 0 {
			continue
		}
		if err := tw.apply(ctx, s, rm, hi); err != nil {
			return fmt.Errorf("top list of %q: %w", s, err)
		}
	}
	return nil
}

// topCuts reads the cuts of those of stems that have a top list.
func topCuts(ctx context.Context, tx foldTx, stems []string) (map[string]float64, error) {
	if len(stems) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.term, t.cut FROM json_each(?) AS j
		CROSS JOIN search_top t ON t.term = j.value`, jsonList(stems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cuts := map[string]float64{}
	for rows.Next() {
		var s string
		var cut float64
		if err := rows.Scan(&s, &cut); err != nil {
			return nil, err
		}
		cuts[s] = cut
	}
	return cuts, rows.Err()
}

// buildTop (re)builds one stem's top list from its chunks and pending
// postings: the cut is the bound of its (df/share)-th highest posting.
func buildTop(ctx context.Context, tx foldTx, stem string, chunk, share int) error {
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return err
	}
	tw, err := newListWriter(ctx, tx, st.bound, chunk, topTerms, "search_top_postings")
	if err != nil {
		return err
	}
	defer tw.close()
	var all []posting
	rows, err := tx.QueryContext(ctx, `SELECT first, data FROM search_postings WHERE term = ?1
		UNION ALL SELECT id, data FROM search_pending WHERE term = ?1`, stem)
	if err != nil {
		return err
	}
	for rows.Next() {
		var first int64
		var data []byte
		if err := rows.Scan(&first, &data); err != nil {
			rows.Close()
			return err
		}
		ps, err := decodeChunk(first, data, nil)
		if err != nil {
			rows.Close()
			return err
		}
		all = append(all, ps...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_top_postings WHERE term = ?`, stem); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_top WHERE term = ?`, stem); err != nil {
		return err
	}
	if len(all) == 0 {
		return nil
	}
	bounds := make([]float64, len(all))
	for i, p := range all {
		bounds[i] = tw.postingBound(p)
	}
	sorted := slices.Clone(bounds)
	slices.Sort(sorted)
	cut := sorted[len(sorted)-max(1, len(sorted)/max(share, 1))]
	var hi []posting
	for i, p := range all {
		if bounds[i] >= cut {
			hi = append(hi, p)
		}
	}
	sort.Slice(hi, func(i, j int) bool { return hi[i].ID < hi[j].ID })
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_top (term, cut) VALUES (?, ?)`, stem, cut); err != nil {
		return err
	}
	// A fresh list is one run of new postings: full chunks, appended.
	return tw.apply(ctx, stem, nil, hi)
}

// buildTops gives every stem with topAt postings or more a top list when it
// has none or when its postings grew or shrank past twice or half what the
// list was cut for, a stem per write transaction with a pause as long after
// each (another process's writer finds the lock free).
func (s *Store) buildTops(ctx context.Context) error {
	if s.topAt <= 0 {
		return nil
	}
	q := `SELECT s.term FROM search_terms s LEFT JOIN search_top t ON t.term = s.term
		WHERE s.df >= ?1 AND (t.term IS NULL OR s.df > 2 * t.df * ?2 OR 2 * s.df < t.df * ?2)`
	rows, err := s.w.QueryContext(ctx, q+` ORDER BY s.term`, s.topAt, s.topShare)
	if err != nil {
		return fmt.Errorf("build top lists: %w", err)
	}
	var stems []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("build top lists: %w", err)
		}
		stems = append(stems, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("build top lists: %w", err)
	}
	for _, stem := range stems {
		var took time.Duration
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			// Still due? (Optimize and the background both build.)
			var due int
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (`+q+` AND s.term = ?3)`, s.topAt, s.topShare, stem).Scan(&due); err != nil || due == 0 {
				return err
			}
			return buildTop(ctx, tx, stem, s.chunk, s.topShare)
		})
		if err != nil {
			return fmt.Errorf("build top list of %q: %w", stem, err)
		}
		if err := sleepFor(ctx, took); err != nil {
			return err
		}
	}
	return nil
}
