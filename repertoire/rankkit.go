package repertoire

import (
	"context"
	"math"
	"sort"
	"strings"
)

// The ranking for stores that find recall's candidates their own way (the
// PostgreSQL store reads them from a GIN index): the same query parsing,
// statistics, BM25F with proximity, prior, privacy-neutral filters and ties
// as Search, so every store returns the same hits for the same repertoire.
// A store hands Recall its totals and each stem's document frequency, then
// every entry that may match (visible to the asker and passing the filters
// Filters names); Recall scores them and keeps the top k.

// The prefix rule of the query syntax: an unknown word of at least
// MinPrefix letters stands for the indexed stems that start with its stem,
// when there are at most MaxExpansions of them.
const (
	MinPrefix     = 4
	MaxExpansions = 64
)

// Recall is one recall query being ranked.
type Recall struct {
	sr     *scorer
	top    *topHits
	phrase [][]string // the phrases' stems, as FTS5's porter tokenizer reads them
}

// scorer is the part of a search that scores an entry: the query, what the
// index says of its words, and the totals.
type scorer struct {
	q          Query
	limit      int
	n          float64
	avg        [3]float64
	terms      []*QueryTerm // known words, in the order asked
	stems      *Stemmer
	unknownIDF float64 // idf mass of words no entry holds (for coverage)
	phrases    bool    // the query's phrases are read as phrases
	pairList   *[][2]int
}

// RecallFilters are the query's filters, to be applied by the store as SQL
// (as the SQLite store's WHERE clause does): an entry must carry every Tag
// (as a whole word of its tags), be of one of Kinds when any, credited to one
// of From (author ID, or author name without case) when any, and saved in one
// of In (channel ID, or channel name without case) when any.
type RecallFilters struct {
	Tags  []string
	Kinds []Kind
	From  []string
	In    []string
}

// IndexTotals are the index's totals: entries, and summed token counts of
// their question, answer and tags.
type IndexTotals struct {
	N   int64
	Sum [3]int64
}

// StemDF is an indexed stem and how many entries hold it.
type StemDF struct {
	Stem string
	DF   int64
}

// NewRecall parses a recall request. Nil when it asks for nothing.
func NewRecall(p SearchParams) *Recall {
	if p.Limit <= 0 {
		p.Limit = 3
	}
	p.Limit = min(p.Limit, 50)
	q := ParseQuery(p.Text)
	if q.Empty() {
		return nil
	}
	return &Recall{sr: &scorer{q: q, limit: p.Limit}, top: &topHits{k: p.Limit}}
}

// Limit is how many hits the query wants.
func (r *Recall) Limit() int { return r.sr.limit }

// Filters returns the query's filters.
func (r *Recall) Filters() RecallFilters {
	return RecallFilters{Tags: r.sr.q.Tags, Kinds: r.sr.q.Kinds, From: r.sr.q.From, In: r.sr.q.In}
}

// FiltersOnly reports a query of filters alone ("tag:tls kind:solution"):
// the store lists the newest matching entries (created_at, then ID,
// descending) into AddNewest, and needs no statistics.
func (r *Recall) FiltersOnly() bool { return len(r.sr.q.Terms) == 0 && len(r.sr.q.Phrases) == 0 }

// AddNewest takes the next newest entry of a filters-only query. It reports
// false once the query has all it wants.
func (r *Recall) AddNewest(e Entry) bool {
	if len(r.top.hits) >= r.sr.limit {
		return false
	}
	if r.sr.excluded(Tokenize(e.Question), Tokenize(e.Answer), Tokenize(strings.Join(e.Tags, " "))) {
		return true
	}
	h := Hit{Entry: e}
	h.Snippet, h.Highlights = Snippet(h.Answer, Tokenize(h.Answer), nil, nil)
	h.Coverage, h.QuestionCoverage = 1, 1
	r.top.hits = append(r.top.hits, h)
	return len(r.top.hits) < r.sr.limit
}

// Prepare reads the statistics of the query's words: exact returns a
// stem's document frequency (false when no entry holds it); prefix returns
// the indexed stems s with from < s < to in byte order, at most limit. It
// reports false when the index is empty or nothing can match.
func (r *Recall) Prepare(ctx context.Context, tot IndexTotals,
	exact func(ctx context.Context, stem string) (int64, bool, error),
	prefix func(ctx context.Context, from, to string, limit int) ([]StemDF, error)) (bool, error) {
	sr := r.sr
	if tot.N == 0 {
		return false, nil
	}
	sr.n = float64(tot.N)
	for f := range 3 {
		sr.avg[f] = max(float64(tot.Sum[f])/float64(tot.N), 1)
	}
	for _, w := range sr.q.Terms {
		t := &QueryTerm{Word: w}
		st := Stem(w)
		df, ok, err := exact(ctx, st)
		if err != nil {
			return false, err
		}
		switch {
		case ok:
			t.Stems, t.DocFreq = []string{st}, float64(df)
		case len([]rune(w)) < MinPrefix:
			t = nil
		default:
			found, err := prefix(ctx, st, st+"\U0010FFFF", MaxExpansions+1)
			if err != nil {
				return false, err
			}
			if len(found) == 0 || len(found) > MaxExpansions {
				t = nil
				break
			}
			for _, f := range found {
				t.Stems = append(t.Stems, f.Stem)
				t.DocFreq += float64(f.DF)
			}
			t.Prefix = true
			t.DocFreq = min(t.DocFreq, sr.n)
		}
		if t == nil {
			sr.unknownIDF += math.Log(1 + sr.n)
			continue
		}
		t.IDF = IdfOf(sr.n, t.DocFreq)
		sr.terms = append(sr.terms, t)
	}
	// A long question ranks by its rarest known words, as Search does.
	sr.terms = MostInformative(sr.terms, MaxQueryTerms)
	var first []string
	for _, t := range sr.terms {
		first = append(first, t.Word)
	}
	first = append(first, sr.q.Not...)
	sr.stems = NewStemmer(first)
	for _, ph := range sr.q.Phrases {
		sr.phrases = true
		stems := make([]string, len(ph))
		for i, w := range ph {
			stems[i] = Stem(w)
		}
		r.phrase = append(r.phrase, stems)
	}
	return true, nil
}

// AnyStems are the stems of which a candidate holds at least one (when the
// query has no phrases): the words it ranks by, prefixes expanded.
func (r *Recall) AnyStems() []string {
	var out []string
	for _, t := range r.sr.terms {
		out = append(out, t.Stems...)
	}
	return out
}

// PhraseStems are the stems every candidate holds while the query has
// phrases; nil without phrases.
func (r *Recall) PhraseStems() []string {
	if len(r.phrase) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, ph := range r.phrase {
		for _, s := range ph {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// DropPhrases reads the phrases as plain words: Search does so when no
// entry holds them as typed. It reports whether there were any.
func (r *Recall) DropPhrases() bool {
	had := len(r.phrase) > 0
	r.phrase, r.sr.phrases = nil, false
	r.top = &topHits{k: r.sr.limit}
	return had
}

// Add scores a candidate (visible and passing the filters) and keeps it if
// it enters the top k.
func (r *Recall) Add(e Entry) {
	if len(r.phrase) > 0 && !holdsPhrases(e, r.phrase) {
		return
	}
	h := Hit{Entry: e}
	if r.sr.scoreHit(&h) {
		r.top.add(h)
	}
}

// Hits returns the top k, best first (ties to the higher ID), with
// snippets.
func (r *Recall) Hits() []Hit {
	hits := r.top.hits
	if !r.FiltersOnly() {
		for i := range hits {
			hits[i].Snippet, hits[i].Highlights = Snippet(hits[i].Answer, Tokenize(hits[i].Answer), r.sr.terms, r.sr.stems)
		}
	}
	return hits
}

// holdsPhrases reports whether each phrase's stems follow one another in
// one field (question, answer or tags), as an FTS5 phrase query matches.
func holdsPhrases(e Entry, phrases [][]string) bool {
	fields := [3][]string{}
	for f, text := range [3]string{e.Question, e.Answer, strings.Join(e.Tags, " ")} {
		for _, t := range Tokenize(text) {
			fields[f] = append(fields[f], Stem(t.Raw))
		}
	}
	for _, ph := range phrases {
		found := false
		for _, toks := range fields {
			for i := 0; i+len(ph) <= len(toks) && !found; i++ {
				found = true
				for j, s := range ph {
					if toks[i+j] != s {
						found = false
						break
					}
				}
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// DocStems is an entry's text as recall's index sees it: its distinct stems
// and the token count of its question, answer and tags (tags as stored,
// space-separated).
func DocStems(question, answer, tags string) ([]string, [3]int) {
	seen := map[string]bool{}
	memo := map[string]string{}
	var out []string
	var lens [3]int
	for f, text := range [3]string{question, answer, tags} {
		toks := Tokenize(text)
		lens[f] = len(toks)
		for _, t := range toks {
			s, ok := memo[t.Raw]
			if !ok {
				s = Stem(t.Raw)
				memo[t.Raw] = s
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out, lens
}

// The scoring of one entry: the same computation as the SQLite store's
// searcher (search.go), from the entry's text.

// scoreHit computes a loaded entry's full score. It reports false when the
// entry holds an excluded word or matches nothing after all.
func (sr *scorer) scoreHit(h *Hit) bool {
	fields := [3][]Token{Tokenize(h.Question), Tokenize(h.Answer), Tokenize(strings.Join(h.Tags, " "))}
	if sr.excluded(fields[0], fields[1], fields[2]) {
		return false
	}
	lens := [3]int{len(fields[0]), len(fields[1]), len(fields[2])}
	m := make([][3][]int32, len(sr.terms))
	for ti, t := range sr.terms {
		for f, toks := range fields {
			for i, tok := range toks {
				if t.Matches(sr.stems, tok) {
					m[ti][f] = append(m[ti][f], int32(i))
				}
			}
		}
	}
	var bm, matched, matchedQ, total float64
	h.MatchedWords = 0
	for ti, t := range sr.terms {
		total += t.IDF
		tf := [3]int{len(m[ti][0]), len(m[ti][1]), len(m[ti][2])}
		c := TermScore(t.IDF, tf, lens, sr.avg)
		if c == 0 {
			continue
		}
		bm += c
		matched += t.IDF
		h.MatchedWords++
		if tf[0] > 0 || tf[2] > 0 {
			matchedQ += t.IDF
		}
	}
	if matched == 0 && !sr.phrases {
		return false
	}
	bm += sr.proximity(m)
	total += sr.unknownIDF
	if total > 0 {
		h.Coverage, h.QuestionCoverage = matched/total, matchedQ/total
	}
	h.Score = bm * Prior(h.Entry, sr.q.HowTo)
	return true
}

// pairs are the neighbouring query words proximity rewards, as indexes
// into sr.terms.
func (sr *scorer) pairs() [][2]int {
	if sr.pairList == nil {
		out := QueryPairs(sr.q.Terms, sr.terms)
		sr.pairList = &out
	}
	return *sr.pairList
}

// proximity rewards the question's words found close together, in the
// order asked.
func (sr *scorer) proximity(m [][3][]int32) float64 {
	return Proximity(sr.pairs(), sr.terms, m)
}

// excluded reports whether any field holds a word the member excluded (-word).
func (sr *scorer) excluded(fields ...[]Token) bool {
	if len(sr.q.Not) == 0 {
		return false
	}
	if sr.stems == nil {
		sr.stems = NewStemmer(sr.q.Not)
	}
	for _, w := range sr.q.Not {
		st := Stem(w)
		for _, toks := range fields {
			for _, tok := range toks {
				if tok.Raw == w || sr.stems.Of(tok.Raw) == st {
					return true
				}
			}
		}
	}
	return false
}

// topHits keeps the best hits seen: by score, then by higher ID.
type topHits struct {
	k    int
	hits []Hit // best first
}

func (t *topHits) add(h Hit) {
	i := sort.Search(len(t.hits), func(i int) bool {
		if h.Score != t.hits[i].Score {
			return h.Score > t.hits[i].Score
		}
		return h.ID > t.hits[i].ID
	})
	if i >= t.k {
		return
	}
	t.hits = append(t.hits, Hit{})
	copy(t.hits[i+1:], t.hits[i:])
	t.hits[i] = h
	if len(t.hits) > t.k {
		t.hits = t.hits[:t.k]
	}
}

// StemOf is a word as recall's index keeps it: lower case, diacritics
// folded, Porter-stemmed.
func StemOf(word string) string { return Stem(foldWord(word)) }

// DocTermFreqs is an entry's text as recall's index sees it: per stem, how
// often it occurs in the question, answer and tags (tags as stored,
// space-separated), and the token count of each field.
func DocTermFreqs(question, answer, tags string) (map[string][3]int, [3]int) {
	memo := map[string]string{}
	out := map[string][3]int{}
	var lens [3]int
	for f, text := range [3]string{question, answer, tags} {
		toks := Tokenize(text)
		lens[f] = len(toks)
		for _, t := range toks {
			s, ok := memo[t.Raw]
			if !ok {
				s = Stem(t.Raw)
				memo[t.Raw] = s
			}
			v := out[s]
			v[f]++
			out[s] = v
		}
	}
	return out, lens
}

// BM25F returns the ranking's field weights (question, answer, tags), k1 and
// b, for a store that computes a bound on the score where its data is.
func BM25F() (weights [3]float64, k1, b float64) { return fieldWeights, bm25K1, bm25B }

// RecallTerm is a query word the index knows: its stems and idf.
type RecallTerm struct {
	Stems []string
	IDF   float64
}

// RecallPair is a pair of neighbouring query words (indexes into Terms) and
// the most proximity can add when an entry holds both.
type RecallPair struct {
	A, B    int
	Ceiling float64
}

// Terms are the query's known words, after Prepare.
func (r *Recall) Terms() []RecallTerm {
	out := make([]RecallTerm, len(r.sr.terms))
	for i, t := range r.sr.terms {
		out[i] = RecallTerm{Stems: t.Stems, IDF: t.IDF}
	}
	return out
}

// Pairs are the neighbouring word pairs proximity rewards, after Prepare.
func (r *Recall) Pairs() []RecallPair {
	var out []RecallPair
	for _, p := range r.sr.pairs() {
		out = append(out, RecallPair{A: p[0], B: p[1], Ceiling: ProximityCeiling(r.sr.terms[p[0]].IDF, r.sr.terms[p[1]].IDF)})
	}
	return out
}

// Averages are the average field lengths the ranking uses, after Prepare.
func (r *Recall) Averages() [3]float64 { return r.sr.avg }

// HowTo reports a how-to question (kinds weigh in the prior).
func (r *Recall) HowTo() bool { return r.sr.q.HowTo }

// Threshold is the score an entry must beat (or equal, with a higher ID)
// to enter the top k: -Inf until k hits are held.
func (r *Recall) Threshold() float64 {
	if len(r.top.hits) < r.top.k {
		return math.Inf(-1)
	}
	return r.top.hits[r.top.k-1].Score
}

// QueryPairs lists the neighbouring words of a question (words, in the
// order asked) that are both among terms, as indexes into terms: the pairs
// proximity rewards.
func QueryPairs(words []string, terms []*QueryTerm) [][2]int {
	index := map[string]int{}
	for i, t := range terms {
		index[t.Word] = i
	}
	out := [][2]int{}
	for i := 0; i+1 < len(words); i++ {
		a, okA := index[words[i]]
		b, okB := index[words[i+1]]
		if okA && okB {
			out = append(out, [2]int{a, b})
		}
	}
	return out
}

// Proximity rewards the question's words found close together, in the order
// asked: for each pair (from QueryPairs), a bonus by the closest distance
// between the two terms' positions in any one field (m[i] holds term i's
// positions per field).
func Proximity[H ~[3][]int32](pairs [][2]int, terms []*QueryTerm, m []H) float64 {
	var bonus float64
	for _, p := range pairs {
		a, b := p[0], p[1]
		best := math.MaxInt
		for f := range 3 {
			for _, pa := range m[a][f] {
				for _, pb := range m[b][f] {
					if d := int(pb - pa); d > 0 && d < best {
						best = d
					} else if d < 0 && -d+1 < best {
						best = -d + 1 // reversed order counts, a little less
					}
				}
			}
		}
		bonus += ProximityBonus(terms[a].IDF, terms[b].IDF, best)
	}
	return bonus
}
