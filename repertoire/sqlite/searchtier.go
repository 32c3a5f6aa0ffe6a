package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Impact tiers (migration 0016): a stem with many postings keeps the few
// whose bound is highest in a list of their own, the high tier, beside the
// others, the low tier. The top k of a common word are entries whose
// contribution is close to the stem's bound; with one list their chunks are
// spread over the whole ID range and block-max bounds skip little. With two,
// a search reads the short high tier and only probes the low one.

const (
	// defaultTierAt is the document frequency from which a stem is tiered.
	defaultTierAt = 4096
	// tierShare: the high tier holds about 1/tierShare of a stem's
	// postings when it is tiered.
	tierShare = 16
)

// withTiers sets the document frequency from which stems are tiered (tests
// tier small repertoires).
func withTiers(at int) Option { return func(s *Store) { s.tierAt = at } }

// hiKey is the term under which a stem's high tier is chunked.
func hiKey(stem string) string { return stem + "\x01" }

// stemOfKey is the stem a chunk's term belongs to, and whether the chunk is
// in the high tier.
func stemOfKey(key string) (string, bool) {
	if s, ok := strings.CutSuffix(key, "\x01"); ok {
		return s, true
	}
	return key, false
}

// retierDue tiers every stem whose merged postings reached tierAt and that
// is not tiered yet, one stem per write transaction so the write lock is
// never held long.
func (s *Store) retierDue(ctx context.Context) error {
	for {
		var stem string
		err := s.r.QueryRowContext(ctx, `SELECT term FROM search_terms INDEXED BY search_terms_untiered
			WHERE cut IS NULL AND df >= ? LIMIT 1`, s.tierAt).Scan(&stem)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tier search index: %w", err)
		}
		err = s.tx(ctx, "", func(tx *sql.Tx) error {
			st, err := loadIndexStats(ctx, tx)
			if err != nil {
				return err
			}
			return retier(ctx, tx, stem, st.bound, s.chunk, s.tierAt)
		})
		if err != nil {
			return fmt.Errorf("tier search index, stem %q: %w", stem, err)
		}
	}
}

// retier rewrites one stem's chunks as two tiers (or one, below tierAt):
// it chooses the cut from its postings' bounds, then streams the postings
// of both old lists in ID order into the new ones, deleting each old chunk
// as it is read, so memory holds a chunk or two per list whatever the df.
func retier(ctx context.Context, tx *sql.Tx, stem string, bound [3]float64, chunk, tierAt int) error {
	var df int64
	var ub, pmax float64
	var oldCut sql.NullFloat64
	if err := tx.QueryRowContext(ctx, `SELECT df, ub, pmax, cut FROM search_terms WHERE term = ?`, stem).Scan(&df, &ub, &pmax, &oldCut); err != nil {
		return err
	}
	lists := make([]*chunkStream, 2)
	for i, key := range []string{stem, hiKey(stem)} {
		cs, err := openChunkStream(ctx, tx, key)
		if err != nil {
			return err
		}
		lists[i] = cs
	}
	fw := &foldWriter{bound: bound, chunk: chunk}
	// The cut: the bound of the (df/tierShare)-th highest posting. Read
	// from the chunks once (bounds only kept), before anything changes.
	cut := sql.NullFloat64{}
	if df >= int64(tierAt) {
		var bounds []float32
		for _, cs := range lists {
			for _, ref := range cs.refs {
				var data []byte
				if err := tx.QueryRowContext(ctx, `SELECT data FROM search_postings WHERE id = ?`, ref.row).Scan(&data); err != nil {
					return err
				}
				ps, err := decodeChunk(ref.first, data, nil)
				if err != nil {
					return err
				}
				for _, p := range ps {
					bounds = append(bounds, float32(fw.postingBound(p)))
				}
			}
		}
		if len(bounds) == 0 {
			return nil
		}
		slices.Sort(bounds)
		k := max(1, len(bounds)/tierShare)
		// (Any cut is correct: chunk bounds cover their postings; the
		// cut only decides which list a posting goes to.)
		cut = sql.NullFloat64{Float64: float64(bounds[len(bounds)-k]), Valid: true}
	}
	out := [2]*chunkSink{{key: stem, fw: fw}, {key: hiKey(stem), fw: fw}}
	put, err := tx.PrepareContext(ctx, `INSERT INTO search_postings (term, first, last, bound, data) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer put.Close()
	for i := range out {
		out[i].put = put
	}
	var newUB float64
	for {
		var next *chunkStream
		for _, cs := range lists {
			ok, err := cs.ready(ctx, tx)
			if err != nil {
				return err
			}
			if ok && (next == nil || cs.peek().id < next.peek().id) {
				next = cs
			}
		}
		if next == nil {
			break
		}
		p := next.take()
		b := fw.postingBound(p)
		newUB = max(newUB, b)
		tier := 0
		if cut.Valid && b >= cut.Float64 {
			tier = 1
		}
		if err := out[tier].add(ctx, p); err != nil {
			return err
		}
	}
	for _, o := range out {
		if err := o.flush(ctx); err != nil {
			return err
		}
	}
	if newUB == 0 {
		newUB = ub
	}
	_, err = tx.ExecContext(ctx, `UPDATE search_terms SET ub = ?, cut = ? WHERE term = ?`, newUB, cut, stem)
	return err
}

// chunkStream reads one list's chunks in ID order, deleting each as it
// loads it.
type chunkStream struct {
	refs []chunkRef
	i    int
	cur  []posting
	pos  int
}

type chunkRef struct{ row, first int64 }

func openChunkStream(ctx context.Context, tx *sql.Tx, key string) (*chunkStream, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, first FROM search_postings WHERE term = ? ORDER BY first`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := &chunkStream{}
	for rows.Next() {
		var r chunkRef
		if err := rows.Scan(&r.row, &r.first); err != nil {
			return nil, err
		}
		cs.refs = append(cs.refs, r)
	}
	return cs, rows.Err()
}

// ready loads the next chunk when the current one is used up; false at
// the end.
func (cs *chunkStream) ready(ctx context.Context, tx *sql.Tx) (bool, error) {
	for cs.pos >= len(cs.cur) {
		if cs.i >= len(cs.refs) {
			return false, nil
		}
		ref := cs.refs[cs.i]
		cs.i++
		var data []byte
		if err := tx.QueryRowContext(ctx, `SELECT data FROM search_postings WHERE id = ?`, ref.row).Scan(&data); err != nil {
			return false, err
		}
		ps, err := decodeChunk(ref.first, data, nil)
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_postings WHERE id = ?`, ref.row); err != nil {
			return false, err
		}
		cs.cur, cs.pos = ps, 0
	}
	return true, nil
}

func (cs *chunkStream) peek() *posting { return &cs.cur[cs.pos] }

func (cs *chunkStream) take() posting {
	p := cs.cur[cs.pos]
	cs.pos++
	return p
}

// chunkSink writes one list's new chunks as they fill.
type chunkSink struct {
	key string
	fw  *foldWriter
	put *sql.Stmt
	buf []posting
}

func (o *chunkSink) add(ctx context.Context, p posting) error {
	o.buf = append(o.buf, p)
	if len(o.buf) < o.fw.chunk {
		return nil
	}
	return o.flush(ctx)
}

func (o *chunkSink) flush(ctx context.Context) error {
	if len(o.buf) == 0 {
		return nil
	}
	c := o.buf
	if _, err := o.put.ExecContext(ctx, o.key, c[0].id, c[len(c)-1].id, o.fw.chunkBound(c), encodeChunk(c)); err != nil {
		return err
	}
	o.buf = o.buf[:0]
	return nil
}
