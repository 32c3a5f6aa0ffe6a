package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

const (
	// minPrefix is the shortest unknown word tried as a prefix.
	minPrefix = 4
	// maxExpansions bounds the indexed stems an unknown word stands for as
	// a prefix; a prefix of more is too vague to rank by and is ignored.
	maxExpansions = 64
	// loadBatch is how many entries, whose bound says they may enter the
	// top k, are loaded (under the visibility clause) and scored together.
	loadBatch = 16
)

// Search finds the entries that best answer the text, among those the asking
// channel may see: public entries and the asking channel's own. It never
// fails on what a member typed; errors are the database's.
//
// It returns exactly the top k of the ranking computed over every entry
// (rank.go: BM25F over question, answer and tags with stemming, prefix
// matches for unknown words, proximity of the question's words, times the
// entry's votes, feedback and, for how-to questions, its kind; higher ID
// first on ties), without scoring every entry: the search index keeps each
// stem's postings with what scoring needs and, per stem, the largest score
// one entry can get from it. MaxScore (Turtle and Flood 1995) walks the
// postings of the words that could still lift an entry into the top k and
// only probes the others, skipping entries whose bound falls below the k-th
// score found; the entries whose bound (BM25F exact, proximity at its
// ceiling) can still enter are loaded under the visibility and filter WHERE
// clause and scored in full.
func (s *Store) Search(ctx context.Context, p repertoire.SearchParams) ([]repertoire.Hit, error) {
	return s.search(ctx, p, false)
}

func (s *Store) search(ctx context.Context, p repertoire.SearchParams, exhaustive bool) ([]repertoire.Hit, error) {
	if p.Limit <= 0 {
		p.Limit = 3
	}
	p.Limit = min(p.Limit, 50)
	q := repertoire.ParseQuery(p.Text)
	if q.Empty() {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	shortList := s.shortList
	if exhaustive {
		shortList = -1 // it reads no postings
	}
	newSearcher := func(checkAll bool) *searcher {
		return &searcher{tx: tx, cache: s.stmts, q: q, from: p.From, spaces: p.Spaces, audience: p.Audience, limit: p.Limit,
			exhaustive: exhaustive, shortList: shortList, checkAll: checkAll}
	}
	sr := newSearcher(false)
	hits, err := sr.run(ctx)
	if errors.Is(err, errUnchecked) {
		// Again, checking every candidate (searchvis.go).
		sr = newSearcher(true)
		hits, err = sr.run(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if err := sr.loadHitSavers(ctx, hits); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// loadHitSavers reads the savers of every hit in one statement (as
// loadSavers does for one entry: by time saved, then user ID), but for
// the hits whose row came with them (searchload.go).
func (sr *searcher) loadHitSavers(ctx context.Context, hits []repertoire.Hit) error {
	var ids []int64
	at := map[int64]int{}
	for i, h := range hits {
		if !sr.withSavers[h.ID] {
			ids, at[h.ID] = append(ids, h.ID), i
		}
	}
	if len(ids) == 0 {
		return nil
	}
	st, err := sr.prepared(ctx, `SELECT entry_id, user_id, user_name FROM savers
		WHERE entry_id IN (SELECT value FROM json_each(?)) ORDER BY entry_id, saved_at, user_id`)
	if err != nil {
		return fmt.Errorf("load savers: %w", err)
	}
	rows, err := st.QueryContext(ctx, jsonList(ids))
	if err != nil {
		return fmt.Errorf("load savers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p repertoire.Person
		if err := rows.Scan(&id, &p.ID, &p.Name); err != nil {
			return fmt.Errorf("load savers: %w", err)
		}
		h := &hits[at[id]]
		h.Savers = append(h.Savers, p)
	}
	return rows.Err()
}

// SearchExhaustive ranks every entry the asking channel may see with the
// ranking Search uses and returns its top k: the reference Search is
// checked against. It reads every row; use it in tests and benchmarks.
func (s *Store) SearchExhaustive(ctx context.Context, p repertoire.SearchParams) ([]repertoire.Hit, error) {
	return s.search(ctx, p, true)
}

type searcher struct {
	tx         *sql.Tx
	q          repertoire.Query
	from       repertoire.Channel
	spaces     []string
	limit      int
	exhaustive bool

	audience *repertoire.Audience

	stats          indexStats
	n              float64 // entries in the index
	avg            [3]float64
	terms          []*repertoire.QueryTerm // known words, in the order asked
	stems          *repertoire.Stemmer
	unknownIDF     float64 // idf mass of words no entry holds (for coverage)
	phraseExprs    []string
	phraseSet      map[int64]bool // with phrases: the entries holding them all
	pairList       *[][2]int      // pairs(), once computed
	stmts          map[string]*sql.Stmt
	cache          *stmtCache
	stemInfo       map[string]stemInfo // what lookup learnt of each stem
	filterSQL      string
	filterArgs     []any
	visibilitySQL  string
	visibilityArgs []any
	rows           map[int64]repertoire.Entry // entries read in full (searchload.go)
	withSavers     map[int64]bool             // those of rows read with their savers
	// shortList: a stem of at most this many merged postings is read
	// whole with its figures, into short (searchlookup.go).
	shortList int64
	short     map[string]*shortList
	// allVisible: every entry is visible to the asker and no filter
	// applies, so the entries scored need no check (searchvis.go).
	allVisible bool
	scopeCheck bool // the filters are the visibility clause alone
	checkAll   bool // check every candidate, whatever the scopes
}

func (sr *searcher) run(ctx context.Context) ([]repertoire.Hit, error) {
	sr.buildFilters()
	if len(sr.q.Terms) == 0 && len(sr.q.Phrases) == 0 {
		return sr.filtersOnly(ctx)
	}
	if ok, err := sr.prepare(ctx); !ok || err != nil {
		return nil, err
	}
	hits, err := sr.rank(ctx)
	if err != nil || len(hits) > 0 || len(sr.phraseExprs) == 0 {
		return hits, err
	}
	// No entry holds the phrases as typed: read them as words.
	sr.phraseExprs = nil
	return sr.rank(ctx)
}

// prepare reads the index totals and what it knows of each word; false
// when the index is empty.
func (sr *searcher) prepare(ctx context.Context) (bool, error) {
	stems := make([]string, len(sr.q.Terms))
	for i, w := range sr.q.Terms {
		stems[i] = repertoire.Stem(w)
	}
	figs, ok, err := sr.lookupStems(ctx, stems)
	if !ok || err != nil {
		return false, err
	}
	sr.n, sr.avg = float64(sr.stats.n), sr.stats.avg()
	for i, w := range sr.q.Terms {
		t, err := sr.lookup(ctx, w, stems[i], figs[i])
		if err != nil {
			return false, err
		}
		if t == nil {
			sr.unknownIDF += math.Log(1 + sr.n)
			continue
		}
		sr.terms = append(sr.terms, t)
	}
	sr.terms = repertoire.MostInformative(sr.terms, repertoire.MaxQueryTerms)
	var first []string
	for _, t := range sr.terms {
		first = append(first, t.Word)
	}
	first = append(first, sr.q.Not...)
	sr.stems = repertoire.NewStemmer(first)
	for _, ph := range sr.q.Phrases {
		sr.phraseExprs = append(sr.phraseExprs, `"`+strings.Join(ph, " ")+`"`)
	}
	return true, nil
}

// buildFilters turns the query's filters and the asking channel into a WHERE
// clause over entries e, values as parameters.
func (sr *searcher) buildFilters() {
	// A community sees its own workspace or server: its public channels'
	// entries and the asking channel's private ones. Without a platform
	// (the terminal's search) every public entry is visible.
	switch {
	case sr.audience != nil:
		sr.visibilitySQL, sr.visibilityArgs = audienceWhere(*sr.audience, "e")
	case sr.from.Platform == "":
		sr.visibilitySQL, sr.visibilityArgs = `e.private = 0`, nil
	case len(sr.spaces) == 0:
		sr.visibilitySQL = `(e.platform = ? AND e.space = ? AND (e.private = 0 OR e.channel_id = ?))`
		sr.visibilityArgs = []any{sr.from.Platform, sr.from.Space, sr.from.ID}
	default:
		sr.visibilitySQL = `(e.platform = ? AND ((e.space = ? AND (e.private = 0 OR e.channel_id = ?))
			OR (e.private = 0 AND e.space IN (SELECT value FROM json_each(?)))))`
		sr.visibilityArgs = []any{sr.from.Platform, sr.from.Space, sr.from.ID, jsonList(sr.spaces)}
	}
	var conds []string
	var args []any
	for _, t := range sr.q.Tags {
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
	kinds := make([]string, len(sr.q.Kinds))
	for i, k := range sr.q.Kinds {
		kinds[i] = string(k)
	}
	anyOf(kinds, `e.kind = ?`, 1)
	anyOf(sr.q.From, `(e.author_id = ? OR lower(e.author_name) = lower(?))`, 2)
	anyOf(sr.q.In, `(e.channel_id = ? OR lower(e.channel_name) = lower(?))`, 2)
	sr.filterSQL = sr.visibilitySQL
	sr.scopeCheck = len(conds) == 0 && !sr.checkAll
	if len(conds) > 0 {
		sr.filterSQL += " AND " + strings.Join(conds, " AND ")
	}
	sr.filterArgs = append(append([]any{}, sr.visibilityArgs...), args...)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// filtersOnly answers a query of filters alone ("tag:tls kind:solution"):
// the newest matching entries, best endorsed first among equals.
func (sr *searcher) filtersOnly(ctx context.Context) ([]repertoire.Hit, error) {
	rows, err := sr.tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e
		WHERE `+sr.filterSQL+` ORDER BY e.created_at DESC, e.id DESC LIMIT +?`,
		append(sr.filterArgs, sr.limit*4)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []repertoire.Hit
	for rows.Next() && len(hits) < sr.limit {
		var h repertoire.Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return nil, err
		}
		if sr.excluded(repertoire.Tokenize(h.Question), repertoire.Tokenize(h.Answer), repertoire.Tokenize(strings.Join(h.Tags, " "))) {
			continue
		}
		h.Snippet, h.Highlights = repertoire.Snippet(h.Answer, repertoire.Tokenize(h.Answer), nil, nil)
		h.Coverage, h.QuestionCoverage = 1, 1 // it is what was asked for
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// lookup makes a query term of a word from what the index knows of its
// stem st (fig, from lookupStems). A word no entry holds is tried as a
// prefix ("kube" for "kubernetes") when it is long enough to mean
// something: it stands for the indexed stems that start with its own. Nil
// when nothing matches either way.
func (sr *searcher) lookup(ctx context.Context, w, st string, fig stemFigures) (*repertoire.QueryTerm, error) {
	t := &repertoire.QueryTerm{Word: w, UpperBound: fig.ub, MaxPrior: fig.pmax}
	df, info := fig.df, fig.info
	switch {
	case df > 0:
		t.Stems, t.DocFreq = []string{st}, float64(df)
		sr.noteStem(st, info)
	case len([]rune(w)) < minPrefix:
		return nil, nil
	default:
		prefix, err := sr.prepared(ctx, `SELECT term, sum(df), max(ub), max(pmax), sum(p) FROM (
			SELECT term, df, ub, pmax, 0 AS p FROM search_terms WHERE term > ?1 AND term < ?2
			UNION ALL SELECT term, 1, bound, pmax, 1 FROM search_pending WHERE term > ?1 AND term < ?2)
			GROUP BY term ORDER BY term LIMIT +?3`)
		if err != nil {
			return nil, err
		}
		rows, err := prefix.QueryContext(ctx, st, st+"\U0010FFFF", maxExpansions+1)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		info.cut = 0 // a prefix's stems are read from their long lists
		for rows.Next() {
			var term string
			var ub, pmax float64
			if err := rows.Scan(&term, &df, &ub, &pmax, &info.pending); err != nil {
				return nil, err
			}
			sr.noteStem(term, info)
			t.Stems = append(t.Stems, term)
			t.DocFreq += float64(df)
			t.UpperBound, t.MaxPrior = max(t.UpperBound, ub), max(t.MaxPrior, pmax)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(t.Stems) == 0 || len(t.Stems) > maxExpansions {
			return nil, nil
		}
		t.Prefix = true
		t.DocFreq = min(t.DocFreq, sr.n)
		if len(t.Stems) > 1 {
			// Several stems' frequencies add up in one entry: bound the
			// saturated weight by its ceiling.
			t.UpperBound = repertoire.SatMax * t.MaxPrior
		}
	}
	t.IDF = repertoire.IdfOf(sr.n, t.DocFreq)
	return t, nil
}

// stemInfo is what a search needs of a stem beyond its figures: how many
// of its postings wait in search_pending (none: no statement for them),
// and whether it has a top list.
type stemInfo struct {
	pending int64
	cut     float64 // its top list's cut (searchtop.go); 0 without one
}

func (sr *searcher) noteStem(stem string, info stemInfo) {
	if sr.stemInfo == nil {
		sr.stemInfo = map[string]stemInfo{}
	}
	sr.stemInfo[stem] = info
}

// phraseEntries asks FTS5 which entries hold every phrase as typed.
func (sr *searcher) phraseEntries(ctx context.Context) (map[int64]bool, error) {
	rows, err := sr.tx.QueryContext(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?`,
		strings.Join(sr.phraseExprs, " AND "))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		set[id] = true
	}
	return set, rows.Err()
}

// topK keeps the best hits seen: by score, then by higher ID.
type topK struct {
	k    int
	hits []repertoire.Hit // best first
}

func better(a, b *repertoire.Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID > b.ID
}

func (t *topK) add(h repertoire.Hit) {
	i := sort.Search(len(t.hits), func(i int) bool { return better(&h, &t.hits[i]) })
	if i >= t.k {
		return
	}
	t.hits = append(t.hits, repertoire.Hit{})
	copy(t.hits[i+1:], t.hits[i:])
	t.hits[i] = h
	if len(t.hits) > t.k {
		t.hits = t.hits[:t.k]
	}
}

// threshold is the score an entry must reach to enter: -Inf until k hits.
func (t *topK) threshold() float64 {
	if len(t.hits) < t.k {
		return math.Inf(-1)
	}
	return t.hits[t.k-1].Score
}

// rank finds the top k, by pruning or exhaustively.
func (sr *searcher) rank(ctx context.Context) ([]repertoire.Hit, error) {
	sr.phraseSet = nil
	if len(sr.phraseExprs) > 0 {
		set, err := sr.phraseEntries(ctx)
		if err != nil {
			return nil, err
		}
		if len(set) == 0 {
			return nil, nil
		}
		sr.phraseSet = set
	}
	top := &topK{k: sr.limit}
	var err error
	if sr.exhaustive {
		err = sr.scanAll(ctx, top)
	} else {
		err = sr.prune(ctx, top)
	}
	if err != nil {
		return nil, err
	}
	hits := top.hits
	for i := range hits {
		hits[i].Snippet, hits[i].Highlights = repertoire.Snippet(hits[i].Answer, repertoire.Tokenize(hits[i].Answer), sr.terms, sr.stems)
	}
	return hits, nil
}

// scanAll scores every visible entry: the reference the pruned search must
// equal.
func (sr *searcher) scanAll(ctx context.Context, top *topK) error {
	rows, err := sr.tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e WHERE `+sr.filterSQL, sr.filterArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h repertoire.Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return err
		}
		if sr.phraseSet != nil && !sr.phraseSet[h.ID] {
			continue
		}
		if sr.scoreHit(&h) {
			top.add(h)
		}
	}
	return rows.Err()
}

// load scores entries by ID, loaded under the visibility and filter clause.
// With seen, it also marks those it loaded there (a seed's: scored exactly,
// so the walk passes over them).
func (sr *searcher) load(ctx context.Context, ids []int64, top *topK, seen map[int64]bool) error {
	st, err := sr.prepared(ctx, `SELECT `+entryColumns+`
		FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, append([]any{jsonList(ids)}, sr.filterArgs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h repertoire.Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return err
		}
		if seen != nil {
			seen[h.ID] = true
		}
		sr.keepRow(h.Entry)
		if sr.scoreHit(&h) {
			top.add(h)
		}
	}
	return rows.Err()
}

// scoreHit computes a loaded entry's full score. It reports false when the
// entry holds an excluded word or matches nothing after all.
func (sr *searcher) scoreHit(h *repertoire.Hit) bool {
	fields := [3][]repertoire.Token{repertoire.Tokenize(h.Question), repertoire.Tokenize(h.Answer), repertoire.Tokenize(strings.Join(h.Tags, " "))}
	if sr.excluded(fields[0], fields[1], fields[2]) {
		return false
	}
	lens := [3]int{len(fields[0]), len(fields[1]), len(fields[2])}
	m := make([]termHits, len(sr.terms))
	for f, toks := range fields {
		for i, tok := range toks {
			// As t.Matches(sr.stems, tok) for each term, the token
			// stemmed once; positions still ascend per term and field.
			st := sr.stems.Of(tok.Raw)
			if st == "" {
				continue
			}
			for ti, t := range sr.terms {
				if slices.Contains(t.Stems, st) {
					m[ti][f] = append(m[ti][f], int32(i))
				}
			}
		}
	}
	return sr.scoreFrom(h, m, lens, repertoire.Prior(h.Entry, sr.q.HowTo))
}

// termHits is what an entry holds of one query term: its positions (token
// indexes) in the question, answer and tags.
type termHits [3][]int32

// scoreFrom is the ranking of one entry from what it holds of each query
// term, its field lengths and its prior: the one computation behind both
// the pruned search (from postings) and scoreHit (from the text). It sets
// h's score and coverage, and reports false when the entry matches nothing.
func (sr *searcher) scoreFrom(h *repertoire.Hit, m []termHits, lens [3]int, prior float64) bool {
	var bm, matched, matchedQ, total float64
	h.MatchedWords = 0
	for ti, t := range sr.terms {
		total += t.IDF
		tf := [3]int{len(m[ti][0]), len(m[ti][1]), len(m[ti][2])}
		c := repertoire.TermScore(t.IDF, tf, lens, sr.avg)
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
	if matched == 0 && len(sr.phraseExprs) == 0 {
		return false
	}
	bm += sr.proximity(m)
	total += sr.unknownIDF
	if total > 0 {
		h.Coverage, h.QuestionCoverage = matched/total, matchedQ/total
	}
	h.Score = bm * prior
	return true
}

// pairs are the neighbouring query words proximity rewards, as indexes
// into sr.terms.
func (sr *searcher) pairs() [][2]int {
	if sr.pairList == nil {
		out := repertoire.QueryPairs(sr.q.Terms, sr.terms)
		sr.pairList = &out
	}
	return *sr.pairList
}

// proximity rewards the question's words found close together, in the order
// asked: for each neighbouring pair of query words, a bonus by their
// nearest distance in any field (proximityBonus).
func (sr *searcher) proximity(m []termHits) float64 {
	return repertoire.Proximity(sr.pairs(), sr.terms, m)
}

// excluded reports whether any field holds a word the member excluded (-word).
func (sr *searcher) excluded(fields ...[]repertoire.Token) bool {
	if len(sr.q.Not) == 0 {
		return false
	}
	if sr.stems == nil {
		sr.stems = repertoire.NewStemmer(sr.q.Not)
	}
	for _, w := range sr.q.Not {
		st := repertoire.Stem(w)
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
