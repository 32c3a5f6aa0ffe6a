package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// SearchExhaustiveMany is SearchExhaustive for many searches in one pass
// over the entries, for benchmarks at a million entries: each entry is
// tokenized once, and an entry is scored in full for a search unless its
// own words' exact BM25F with proximity at its ceiling, times its prior,
// falls below that search's k-th score so far. Hits carry no savers.
func (s *Store) SearchExhaustiveMany(ctx context.Context, ps []repertoire.SearchParams) ([][]repertoire.Hit, error) {
	out := make([][]repertoire.Hit, len(ps))
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	type job struct {
		i    int
		sr   *searcher
		top  *topK
		seen bool
	}
	groups := map[string][]*job{}
	var order []string
	for i, p := range ps {
		if p.Limit <= 0 {
			p.Limit = 3
		}
		p.Limit = min(p.Limit, 50)
		q := repertoire.ParseQuery(p.Text)
		if q.Empty() {
			continue
		}
		sr := &searcher{tx: tx, q: q, from: p.From, spaces: p.Spaces, audience: p.Audience, limit: p.Limit, exhaustive: true, shortList: -1}
		sr.buildFilters()
		if len(q.Terms) == 0 || len(q.Phrases) > 0 {
			// Filters alone, or phrases (with their fallback): one at a time.
			if out[i], err = s.SearchExhaustive(ctx, p); err != nil {
				return nil, err
			}
			continue
		}
		ok, err := sr.prepare(ctx)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if !ok {
			continue
		}
		key := fmt.Sprint(sr.filterSQL, sr.filterArgs)
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], &job{i: i, sr: sr, top: &topK{k: p.Limit}})
	}
	memo := map[string]string{}
	for _, key := range order {
		jobs := groups[key]
		byStem := map[string][]int{}
		for j, jb := range jobs {
			for _, t := range jb.sr.terms {
				for _, st := range t.Stems {
					byStem[st] = append(byStem[st], j)
				}
			}
		}
		sr0 := jobs[0].sr
		rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE `+sr0.filterSQL, sr0.filterArgs...)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var touched []int
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: %w", err)
			}
			fields := [3][]repertoire.Token{repertoire.Tokenize(e.Question), repertoire.Tokenize(e.Answer), repertoire.Tokenize(strings.Join(e.Tags, " "))}
			lens := [3]int{len(fields[0]), len(fields[1]), len(fields[2])}
			tf := map[string][3]int{}
			for f, toks := range fields {
				for _, tok := range toks {
					st, ok := memo[tok.Raw]
					if !ok {
						st = repertoire.Stem(tok.Raw)
						memo[tok.Raw] = st
					}
					v := tf[st]
					v[f]++
					tf[st] = v
				}
			}
			touched = touched[:0]
			for st := range tf {
				for _, j := range byStem[st] {
					if !jobs[j].seen {
						jobs[j].seen = true
						touched = append(touched, j)
					}
				}
			}
			for _, j := range touched {
				jb := jobs[j]
				jb.seen = false
				sr := jb.sr
				var bm float64
				has := make([]bool, len(sr.terms))
				for ti, t := range sr.terms {
					var sum [3]int
					for _, st := range t.Stems {
						v := tf[st]
						for f := range 3 {
							sum[f] += v[f]
						}
					}
					if c := repertoire.TermScore(t.IDF, sum, lens, sr.avg); c > 0 {
						bm += c
						has[ti] = true
					}
				}
				for _, pp := range sr.pairs() {
					if has[pp[0]] && has[pp[1]] {
						bm += repertoire.ProximityCeiling(sr.terms[pp[0]].IDF, sr.terms[pp[1]].IDF)
					}
				}
				if bm*repertoire.Prior(e, sr.q.HowTo)*(1+boundMargin) < jb.top.threshold() {
					continue
				}
				h := repertoire.Hit{Entry: e}
				if sr.scoreHit(&h) {
					jb.top.add(h)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for _, jb := range jobs {
			hits := jb.top.hits
			for i := range hits {
				hits[i].Snippet, hits[i].Highlights = repertoire.Snippet(hits[i].Answer, repertoire.Tokenize(hits[i].Answer), jb.sr.terms, jb.sr.stems)
			}
			out[jb.i] = hits
		}
	}
	return out, nil
}
