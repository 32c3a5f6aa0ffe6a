package postgres

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// The bulk build: a transaction that leaves many entries to index on an
// empty index (a first import, migrate-store, a restore) builds the index
// in one pass over the entries in ID order instead of folding them
// foldStep at a time. A fold step rewrites the last chunk of every stem it
// touches, so a large import read and wrote each stem's last chunk once per
// step (at 100k entries, about 20 times over); here each stem's postings
// are encoded as they come and a chunk is written once, when full. The
// phrase index (GIN over search_docs.terms) is dropped first and built
// again at the end, in one sort, instead of growing entry by entry. The
// DROP takes search_docs's lock until the transaction commits: a phrase
// search started meanwhile waits for the build (word searches do not read
// search_docs).

const (
	// bulkBuildAt is how many entries a fold takes to build an empty index
	// in one pass.
	bulkBuildAt = 20_000
	// buildFlush is how many full chunks the build holds before writing
	// them in one statement.
	buildFlush = 4096
)

// stemBuild is one stem's chunk being filled, encoded as it grows.
type stemBuild struct {
	first, last int64
	n           int
	bound, pmax float64
	df          int64
	data        []byte
}

type builder struct {
	chunk   int
	avg     [3]float64 // the bound averages
	stems   map[string]*stemBuild
	terms   []string
	firsts  []int64
	lasts   []int64
	bounds  []float64
	datas   [][]byte
	pending int // bytes held in full chunks
}

// buildIndex indexes the entries ids (ascending) into an empty index in one
// pass, and reports false, having done nothing, when the index is not
// empty.
func buildIndex(ctx context.Context, tx *dbTx, ids []int64, chunk int) (bool, error) {
	st, err := loadIndexStats(ctx, tx)
	if err != nil {
		return false, err
	}
	if st.n != 0 || st.pending != 0 {
		return false, nil
	}
	var used bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_chunks) OR EXISTS (SELECT 1 FROM search_docs)
		OR EXISTS (SELECT 1 FROM search_pending)`).Scan(&used); err != nil || used {
		return false, err
	}
	if chunk <= 0 {
		chunk = chunkSize
	}
	if _, err := tx.ExecContext(ctx, `DROP INDEX search_docs_terms`); err != nil {
		return false, err
	}
	b := &builder{chunk: chunk, stems: map[string]*stemBuild{}}
	memo := map[string]string{}
	type doc struct {
		id    int64
		terms map[string]*[3][]int32
		lens  [3]int
		prior repertoire.PriorInputs
	}
	for page := 0; len(ids) > 0; page++ {
		n := min(len(ids), foldStep)
		lo, hi := ids[0], ids[n-1]
		rows, err := tx.QueryContext(ctx, `SELECT id, question, answer, tags, votes, helpful, unhelpful, kind FROM entries
			WHERE id = ANY(?::bigint[]) AND id BETWEEN ? AND ? ORDER BY id`, ids[:n], lo, hi)
		if err != nil {
			return false, err
		}
		ids = ids[n:]
		var docs []doc
		for rows.Next() {
			var (
				d       doc
				q, a, t string
				kind    string
			)
			if err := rows.Scan(&d.id, &q, &a, &t, &d.prior.Votes, &d.prior.Helpful, &d.prior.Unhelpful, &kind); err != nil {
				rows.Close()
				return false, err
			}
			d.prior.Kind = repertoire.Kind(kind)
			d.terms, d.lens = docTerms(q, a, t, memo)
			docs = append(docs, d)
			st.n++
			for f := range 3 {
				st.sum[f] += int64(d.lens[f])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, err
		}
		if page == 0 {
			// As a fold's first step, the first entries fix the averages
			// bounds are computed at.
			st.bound = st.avg()
			b.avg = st.bound
		}
		type docRow struct {
			ID    int64    `json:"id"`
			Terms string   `json:"terms"`
			Stems []string `json:"stems"`
			Lens  [3]int   `json:"lens"`
		}
		rowsOut := make([]docRow, 0, len(docs))
		for _, d := range docs {
			r := docRow{ID: d.id, Lens: d.lens, Stems: make([]string, 0, len(d.terms))}
			for s := range d.terms {
				r.Stems = append(r.Stems, s)
			}
			sort.Strings(r.Stems)
			lex := make([]string, 0, len(r.Stems))
			for _, s := range r.Stems {
				pos := d.terms[s]
				p := posting{ID: d.id, Lens: d.lens, Prior: d.prior, Pos: *pos}
				for f := range 3 {
					p.TF[f] = len(pos[f])
				}
				if err := b.add(ctx, tx, s, &p); err != nil {
					return false, err
				}
				if len(s) <= maxLexeme {
					lex = append(lex, tsQuote(s))
				}
			}
			r.Terms = strings.Join(lex, " ")
			rowsOut = append(rowsOut, r)
		}
		if len(rowsOut) > 0 {
			j, err := json.Marshal(rowsOut)
			if err != nil {
				return false, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (id, terms, stems, len_q, len_a, len_t)
				SELECT (d->>'id')::bigint, (d->>'terms')::tsvector, ARRAY(SELECT json_array_elements_text(d->'stems')),
					(d->'lens'->>0)::integer, (d->'lens'->>1)::integer, (d->'lens'->>2)::integer
				FROM json_array_elements(?::json) AS d`, string(j)); err != nil {
				return false, err
			}
		}
	}
	// The stems' last chunks, and their terms.
	names := make([]string, 0, len(b.stems))
	for s := range b.stems {
		names = append(names, s)
	}
	sort.Strings(names)
	dfs := make([]int64, len(names))
	pmaxs := make([]float64, len(names))
	for i, s := range names {
		sb := b.stems[s]
		if sb.n > 0 {
			b.emit(s, sb)
			if err := b.flush(ctx, tx, false); err != nil {
				return false, err
			}
		}
		dfs[i], pmaxs[i] = sb.df, sb.pmax
	}
	if err := b.flush(ctx, tx, true); err != nil {
		return false, err
	}
	for i := 0; i < len(names); i += 50_000 {
		j := min(len(names), i+50_000)
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_terms (term, df, pmax)
			SELECT * FROM unnest(?::text[], ?::bigint[], ?::float8[])
			ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df,
				pmax = greatest(search_terms.pmax, excluded.pmax)`, names[i:j], dfs[i:j], pmaxs[i:j]); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE INDEX search_docs_terms ON search_docs USING gin (terms)`); err != nil {
		return false, err
	}
	return true, writeStats(ctx, tx, &st)
}

// add appends posting p to stem s's chunk, and queues the chunk when full.
func (b *builder) add(ctx context.Context, tx *dbTx, s string, p *posting) error {
	sb := b.stems[s]
	if sb == nil {
		sb = &stemBuild{}
		b.stems[s] = sb
	}
	one := encodeChunk([]posting{*p}) // starts with the ID delta 0, one byte
	if sb.n == 0 {
		sb.first = p.ID
		sb.data = append(sb.data[:0], one...)
	} else {
		sb.data = binary.AppendUvarint(sb.data, uint64(p.ID-sb.last))
		sb.data = append(sb.data, one[1:]...)
	}
	sb.last = p.ID
	sb.n++
	sb.df++
	sb.bound = max(sb.bound, postingBound(p, b.avg))
	sb.pmax = max(sb.pmax, repertoire.PriorOf(p.Prior, false))
	if sb.n < b.chunk {
		return nil
	}
	b.emit(s, sb)
	return b.flush(ctx, tx, false)
}

// emit queues stem s's chunk and starts the next.
func (b *builder) emit(s string, sb *stemBuild) {
	data := make([]byte, len(sb.data))
	copy(data, sb.data)
	b.terms, b.firsts, b.lasts = append(b.terms, s), append(b.firsts, sb.first), append(b.lasts, sb.last)
	b.bounds, b.datas = append(b.bounds, sb.bound), append(b.datas, data)
	b.pending += len(data)
	sb.n, sb.bound, sb.data = 0, 0, sb.data[:0]
}

// flush writes the queued chunks when they are many (or when all is set).
func (b *builder) flush(ctx context.Context, tx *dbTx, all bool) error {
	if len(b.terms) == 0 || (!all && len(b.terms) < buildFlush && b.pending < 32<<20) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_chunks (term, first, last, bound, data)
		SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::float8[], ?::bytea[]) ORDER BY 1, 2`,
		b.terms, b.firsts, b.lasts, b.bounds, b.datas)
	b.terms, b.firsts, b.lasts, b.bounds, b.datas = b.terms[:0], b.firsts[:0], b.lasts[:0], b.bounds[:0], b.datas[:0]
	b.pending = 0
	return err
}
