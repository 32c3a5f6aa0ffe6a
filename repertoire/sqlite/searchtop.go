package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// Top lists (migration 0023). The top 10 of a query of common words are
// entries whose contribution from each word is close to the word's bound:
// found among the few postings with the highest bounds, which are spread
// over the whole ID range, so every chunk of the stem holds some and
// block-max bounds pass over few. A stem with many postings therefore keeps
// a copy of its top postings (bound above the stem's cut) in a short list
// of its own. Once the k-th score found passes what the words' cuts add up
// to, a search walks the top lists and only probes the long ones for the
// entries they bring (prune.go); before that, or when the cuts are too high
// for the query, it walks the long lists as before. The copy is kept in the
// fold (foldTop): correctness needs only that every posting above the cut
// is in the list, whatever the cut (one at the cut may be in it or not: a
// search bounds what an entry outside the list gets by the cut itself).

const (
	// defaultTopAt is the document frequency from which a stem has a top
	// list.
	defaultTopAt = 4096
	// defaultTopShare: a top list holds at most 1/topShare of its stem's
	// postings when it is built (fewer when many tie at the cut).
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
// when its bound is above the cut (one at the cut may stay out: alike
// entries would otherwise all enter).
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
			if tw.postingBound(p) > cut {
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
// postings: the cut is the bound of the stem's (df/share+1)-th highest
// posting (of its lowest, if it has fewer), and the list holds the
// postings whose bound is above it, at most df/share however many tie at
// the cut. Two passes over the stem, a chunk at a time: the first keeps
// the highest bounds alone (a heap of numbers) to find the cut, the
// second writes the postings above it in ID order, topBatch at a time.
// Memory does not grow with the stem's df but by a few bytes a posting of
// its list (at 10M entries a word in most of them has a list of 600,000
// postings, whose copies with their positions took hundreds of MB).
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
	// The stem's df (search_terms counts merged postings only), which
	// buildTops compares with later, and its postings pending besides.
	var df, pending int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT df FROM search_terms WHERE term = ?1), 0),
		(SELECT count(*) FROM search_pending WHERE term = ?1)`, stem).Scan(&df, &pending); err != nil {
		return err
	}
	h := bestOf[struct{}]{keep: int(max(1, (df+pending)/int64(max(share, 1)))) + 1}
	if err := stemPostings(ctx, tx, stem, func(p *posting) error {
		if b := tw.postingBound(*p); h.admits(b) {
			h.add(b, struct{}{})
		}
		return nil
	}); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_top_postings WHERE term = ?`, stem); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_top WHERE term = ?`, stem); err != nil {
		return err
	}
	if len(h.items) == 0 {
		return nil
	}
	cut := h.items[0].score
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_top (term, cut, built_df) VALUES (?, ?, ?)`, stem, cut, df); err != nil {
		return err
	}
	// A fresh list is runs of new postings, in ID order: full chunks,
	// appended.
	var hi []posting
	write := func() error {
		if len(hi) == 0 {
			return nil
		}
		err := tw.apply(ctx, stem, nil, hi)
		hi = hi[:0]
		return err
	}
	if err := stemPostings(ctx, tx, stem, func(p *posting) error {
		if tw.postingBound(*p) <= cut {
			return nil
		}
		q := *p
		for f := range 3 {
			q.Pos[f] = slices.Clone(p.Pos[f]) // the decoder's buffer is reused
		}
		if hi = append(hi, q); len(hi) >= topBatch {
			return write()
		}
		return nil
	}); err != nil {
		return err
	}
	return write()
}

// topBatch is the postings buildTop writes to a top list at once.
const topBatch = 4096

// stemPostings hands each of a stem's postings, merged and pending, to
// each, in ID order; a posting's positions hold until each returns. The
// pending ones (few: the merge loop folds them into chunks) are read
// first and merged in.
func stemPostings(ctx context.Context, tx foldTx, stem string, each func(*posting) error) error {
	var pend []posting
	rows, err := tx.QueryContext(ctx, `SELECT id, data FROM search_pending WHERE term = ? ORDER BY id`, stem)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return err
		}
		one, err := decodeChunk(id, data, nil)
		if err != nil {
			rows.Close()
			return err
		}
		pend = append(pend, one...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT first, data FROM search_postings WHERE term = ? ORDER BY first`, stem)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ps []posting
	var pos []int32
	for rows.Next() {
		var first int64
		var data []byte
		if err := rows.Scan(&first, &data); err != nil {
			return err
		}
		if ps, pos, err = repertoire.DecodeChunk(first, data, ps, pos); err != nil {
			return err
		}
		for i := range ps {
			for len(pend) > 0 && pend[0].ID < ps[i].ID {
				if err := each(&pend[0]); err != nil {
					return err
				}
				pend = pend[1:]
			}
			if err := each(&ps[i]); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range pend {
		if err := each(&pend[i]); err != nil {
			return err
		}
	}
	return nil
}

// buildTops gives every stem with topAt postings or more a top list when it
// has none or when its postings grew or shrank past twice or half what the
// list was cut for, a stem per write transaction with a pause as long after
// each (another process's writer finds the lock free).
func (s *Store) buildTops(ctx context.Context) error {
	if s.topAt <= 0 {
		return nil
	}
	// Against the stem's df when the list was cut (built_df), not the
	// list's own: a list of postings that tie holds fewer than 1/topShare.
	q := `SELECT s.term FROM search_terms s LEFT JOIN search_top t ON t.term = s.term
		WHERE s.df >= ?1 AND (t.term IS NULL OR s.df > 2 * t.built_df OR 2 * s.df < t.built_df)`
	rows, err := s.w.QueryContext(ctx, q+` ORDER BY s.term`, s.topAt)
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
		built := false
		err := s.tx(ctx, "", func(tx *sql.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			// Still due? (Optimize and the background both build.)
			var due int
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (`+q+` AND s.term = ?2)`, s.topAt, stem).Scan(&due); err != nil || due == 0 {
				return err
			}
			built = true
			return buildTop(ctx, tx, stem, s.chunk, s.topShare)
		})
		if err != nil {
			return fmt.Errorf("build top list of %q: %w", stem, err)
		}
		if built {
			s.log.Debug("top list built", "stem", stem, "took", took)
		}
		if err := sleepFor(ctx, took); err != nil {
			return err
		}
	}
	return nil
}
