package repertoire

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
)

// SearchParams is a recall request.
type SearchParams struct {
	Text string  // what the member typed; never reaches MATCH raw
	From Channel // the channel asking: its own space's public entries and its private ones are visible
	// Spaces are more spaces of From.Platform whose public entries the asker
	// may see: for a DM outside any server, the servers the member shares
	// with the bot, as the adapter checked.
	Spaces []string
	Limit  int // 3 when zero, at most 50
	// Audience, when set, replaces From and Spaces: what a member may see
	// outside any channel (the web page).
	Audience *Audience
}

// Hit is an entry found by Search with the part of its text that matched.
type Hit struct {
	Entry
	// Snippet is a window of the answer around the matched words, plain
	// text (no markup: the adapters decide how a match looks), and
	// Highlights are the matched words in it.
	Snippet    string
	Highlights []Span
	// Score ranks hits: higher is better. It is BM25F over question, answer
	// and tags with proximity, times the entry's votes, feedback and kind.
	Score float64
	// Coverage is the share (0–1) of the question's informative weight (idf)
	// that the entry matches; QuestionCoverage counts its question and tags
	// only. Nudges use them to speak only when confident.
	Coverage         float64
	QuestionCoverage float64
	MatchedWords     int // how many of the question's words the entry holds
}

// maxQueryTerms bounds the work one recall can cause, whatever is typed.
const maxQueryTerms = 24

// Recall's bounds: they are what keeps a common word in most of a million
// entries as cheap as a rare one.
const (
	// probeLimit is how many postings of one term recall reads, newest
	// first. A term with fewer is "rare": all its entries are candidates and
	// its document frequency is exact. A term with more is "common": its
	// document frequency is estimated from how far back into the rowid range
	// those postings reached, and only its newest entries are candidates.
	probeLimit = 1000
	// recentLimit is how many entries holding all of the common words join
	// the candidates, newest first.
	recentLimit = 200
	// scanWindow bounds the FTS5 queries whose cost is not bounded by a
	// rare word (common words that seldom meet, phrases of common words,
	// filters that turn most matches away): they search the newest
	// scanWindow entries. Below a repertoire of that size, they search all.
	scanWindow = 10_000
	// maxMembershipChecks bounds the FTS5 ANDs asking which candidates hold
	// a common word: the rarest common words are asked, the others count
	// through their newest postings only.
	maxMembershipChecks = 6
	// maxConjunction bounds the common words ANDed to find entries holding
	// them all: FTS5 advances every word's postings at each step, and twenty
	// common words took 190 ms over 10,000 entries where three took 0.2 ms.
	maxConjunction = 3
	// minPrefix is the shortest unknown word tried as a prefix. FTS5 merges
	// the postings of every word with the prefix before it returns a row
	// ("dep*" at 1M generated entries: 130 ms, "kube*" 25 ms), so short
	// prefixes, which mostly start common words, are not tried.
	minPrefix = 4
	// rescoreBatch is how many candidates, best by their first-stage score,
	// are loaded and scored in full; rescoreBatches bounds the batches when
	// filters or visibility turn many away.
	rescoreBatch   = 100
	rescoreBatches = 5
	// Field weights of BM25F: a match in the question says more than one in
	// a long answer; tags are chosen words.
	weightQuestion = 3.0
	weightAnswer   = 1.0
	weightTags     = 2.0
	bm25K1         = 1.2
	bm25B          = 0.75
)

// Search finds the entries that best answer the text, among those the asking
// channel may see: public entries and the asking channel's own. It never
// fails on what a member typed; errors are the database's.
//
// It ranks in two stages, so that its cost is bounded by probeLimit,
// recentLimit and rescoreBatch rather than by how many entries contain a word:
//
//  1. Candidates. Each word's postings are read, newest first, up to
//     probeLimit: rare words give all their entries, common words their
//     newest. Which entries of the rare words also hold the common ones is
//     asked of FTS5 with an AND (it seeks through the long postings instead
//     of reading them), and the newest entries holding all the common words
//     join. A first score (the idf of the words each candidate is known to
//     hold) orders them.
//  2. Ranking. The best candidates are loaded under the visibility and filter
//     WHERE clause and scored in full: BM25F over question, answer and tags
//     with stemming, prefix matches for unknown (partial) words, proximity of
//     the question's words, then votes, 👍/👎 feedback and, for how-to
//     questions, solutions first; newest first on ties.
func (s *Store) Search(ctx context.Context, p SearchParams) ([]Hit, error) {
	if p.Limit <= 0 {
		p.Limit = 3
	}
	p.Limit = min(p.Limit, 50)
	q := parseQuery(p.Text)
	if q.empty() {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	sr := &searcher{tx: tx, q: q, from: p.From, spaces: p.Spaces, audience: p.Audience, limit: p.Limit}
	hits, err := sr.run(ctx)
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

// qterm is one query word with what the index says about it.
type qterm struct {
	word   string
	stem   string
	match  string // its FTS5 expression: the quoted word, or quoted prefix
	prefix bool   // the word is unknown: matched as the start of longer words
	df     float64
	idf    float64
	rare   bool    // all its postings were read
	posts  []int64 // its newest postings (all of them when rare)
}

type searcher struct {
	tx     *sql.Tx
	q      query
	from   Channel
	spaces []string
	limit  int

	audience *Audience

	n              float64 // entries in the index
	avg            [3]float64
	minID, maxID   int64
	terms          []*qterm // known words, rarest first
	stems          *stemmer
	unknownIDF     float64 // idf mass of words no entry holds (for coverage)
	phraseExprs    []string
	filterSQL      string
	filterArgs     []any
	visibilitySQL  string
	visibilityArgs []any
}

func (sr *searcher) run(ctx context.Context) ([]Hit, error) {
	sr.buildFilters()
	if len(sr.q.terms) == 0 && len(sr.q.phrases) == 0 {
		return sr.filtersOnly(ctx)
	}
	if err := sr.loadTotals(ctx); err != nil {
		return nil, err
	}
	if sr.n == 0 {
		return nil, nil
	}
	for _, w := range sr.q.terms {
		t, err := sr.probe(ctx, w)
		if err != nil {
			return nil, err
		}
		if t == nil {
			sr.unknownIDF += math.Log(1 + sr.n)
			continue
		}
		sr.terms = append(sr.terms, t)
	}
	sort.SliceStable(sr.terms, func(i, j int) bool { return sr.terms[i].df < sr.terms[j].df })
	var first []string
	for _, t := range sr.terms {
		first = append(first, t.word)
	}
	first = append(first, sr.q.not...)
	sr.stems = newStemmer(first)
	for _, ph := range sr.q.phrases {
		sr.phraseExprs = append(sr.phraseExprs, `"`+strings.Join(ph, " ")+`"`)
	}
	cands, err := sr.candidates(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := sr.rank(ctx, cands)
	if err != nil || len(hits) > 0 || len(sr.phraseExprs) == 0 {
		return hits, err
	}
	// No entry holds the phrases as typed: read them as words.
	sr.phraseExprs = nil
	if cands, err = sr.candidates(ctx); err != nil {
		return nil, err
	}
	return sr.rank(ctx, cands)
}

// buildFilters turns the query's filters and the asking channel into a WHERE
// clause over entries e, values as parameters.
func (sr *searcher) buildFilters() {
	// A community sees its own workspace or server: its public channels'
	// entries and the asking channel's private ones. Without a platform
	// (the terminal's search) every public entry is visible.
	switch {
	case sr.audience != nil:
		sr.visibilitySQL, sr.visibilityArgs = sr.audience.where("e")
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
	for _, t := range sr.q.tags {
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
	kinds := make([]string, len(sr.q.kinds))
	for i, k := range sr.q.kinds {
		kinds[i] = string(k)
	}
	anyOf(kinds, `e.kind = ?`, 1)
	anyOf(sr.q.from, `(e.author_id = ? OR lower(e.author_name) = lower(?))`, 2)
	anyOf(sr.q.in, `(e.channel_id = ? OR lower(e.channel_name) = lower(?))`, 2)
	sr.filterSQL = sr.visibilitySQL
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
func (sr *searcher) filtersOnly(ctx context.Context) ([]Hit, error) {
	rows, err := sr.tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries e
		WHERE `+sr.filterSQL+` ORDER BY e.created_at DESC, e.id DESC LIMIT ?`,
		append(sr.filterArgs, sr.limit*4)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() && len(hits) < sr.limit {
		var h Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return nil, err
		}
		if sr.excluded(tokenize(h.Question), tokenize(h.Answer), tokenize(strings.Join(h.Tags, " "))) {
			continue
		}
		h.Snippet, h.Highlights = snippet(h.Answer, tokenize(h.Answer), nil, nil)
		h.Coverage, h.QuestionCoverage = 1, 1 // it is what was asked for
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// loadTotals reads the index's row count and average column lengths from the
// FTS5 averages record (rowid 1 of its data table), and the rowid range.
func (sr *searcher) loadTotals(ctx context.Context) error {
	var blob []byte
	err := sr.tx.QueryRowContext(ctx, `SELECT block FROM entries_fts_data WHERE id = 1`).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read index totals: %w", err)
	}
	vals := make([]uint64, 0, 4)
	for len(blob) > 0 && len(vals) < 4 {
		v, n := sqliteVarint(blob)
		if n == 0 {
			break
		}
		vals = append(vals, v)
		blob = blob[n:]
	}
	if len(vals) < 4 || vals[0] == 0 {
		return nil
	}
	sr.n = float64(vals[0])
	for i := range 3 {
		sr.avg[i] = max(float64(vals[i+1])/sr.n, 1)
	}
	var lo, hi sql.NullInt64
	if err := sr.tx.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM entries), (SELECT max(id) FROM entries)`).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("read rowid range: %w", err)
	}
	sr.minID, sr.maxID = lo.Int64, hi.Int64
	return nil
}

// sqliteVarint decodes SQLite's big-endian variable-length integer (the
// format FTS5 stores its totals in). n is 0 when b is too short.
func sqliteVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// probe reads up to probeLimit postings of a word, in rowid order, to learn
// how common it is. A word no entry holds is tried as a prefix ("kube" for
// "kubernetes") when it is long enough to mean something. Nil when nothing
// matches either way.
func (sr *searcher) probe(ctx context.Context, w string) (*qterm, error) {
	t := &qterm{word: w, stem: stem(w), match: `"` + w + `"`}
	for {
		ids, err := sr.rowids(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid DESC LIMIT ?`,
			t.match, probeLimit)
		if err != nil {
			return nil, err
		}
		t.posts = ids
		switch {
		case len(ids) < probeLimit && len(ids) > 0:
			t.rare, t.df = true, float64(len(ids))
		case len(ids) == probeLimit:
			// The postings are spread over the rowids about as entries are:
			// if the newest probeLimit of them reach back a fraction f of
			// the range, about probeLimit/f entries hold the word.
			reach := float64(sr.maxID-ids[len(ids)-1]+1) / float64(sr.maxID-sr.minID+1)
			t.df = min(float64(probeLimit)/max(reach, 1e-9), sr.n)
		case !t.prefix && len([]rune(w)) >= minPrefix:
			t.prefix, t.match = true, `"`+w+`" *`
			continue
		default:
			return nil, nil
		}
		break
	}
	t.idf = math.Log(1 + (sr.n-t.df+0.5)/(t.df+0.5))
	return t, nil
}

func (sr *searcher) rowids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := sr.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// candidate is an entry in the first stage: the words it is known to hold.
type candidate struct {
	id    int64
	score float64 // sum of the idf of the words known to be in it
}

// candidates runs the first stage.
func (sr *searcher) candidates(ctx context.Context) ([]candidate, error) {
	// holds[id] has bit i set when entry id is known to hold sr.terms[i]
	// (maxQueryTerms fits in the bits).
	holds := map[int64]uint32{}
	mark := func(ids []int64, bits uint32, only bool) {
		for _, id := range ids {
			if b, ok := holds[id]; ok || !only {
				holds[id] = b | bits
			}
		}
	}
	var baseExpr string
	var floor int64 // rowids at or below it are not searched: 0 for all
	switch {
	case len(sr.phraseExprs) > 0:
		// Phrases are required: the entries holding them all are the base.
		// FTS5 checks a phrase's positions in every entry holding all its
		// words; when none of them is rare that is most entries, so the
		// search then covers the newest scanWindow entries only.
		baseExpr = strings.Join(sr.phraseExprs, " AND ")
		if !sr.phrasesHaveRareWord() {
			floor = sr.maxID - scanWindow
		}
		ids, err := sr.recent(ctx, baseExpr, probeLimit, floor)
		if err != nil {
			return nil, err
		}
		mark(ids, 0, false)
	default:
		var rare []string
		for i, t := range sr.terms {
			if t.rare {
				rare = append(rare, t.match)
			}
			mark(t.posts, 1<<i, false)
		}
		if len(rare) > 0 {
			baseExpr = "(" + strings.Join(rare, " OR ") + ")"
		}
	}
	// Which base entries hold the words not read in full, by an FTS5 AND
	// that seeks through the word's postings instead of reading them all.
	if baseExpr != "" {
		checks := 0
		for i, t := range sr.terms { // rarest first
			if t.rare && len(sr.phraseExprs) == 0 {
				continue
			}
			if checks++; checks > maxMembershipChecks {
				break
			}
			ids, err := sr.rowids(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? AND rowid > ?`,
				baseExpr+" AND "+t.match, floor)
			if err != nil {
				return nil, err
			}
			mark(ids, 1<<i, true)
		}
	}
	// The newest entries holding all the (rarest few) common words join:
	// with the newest postings of each word above, they stand for the common
	// words' entries.
	var common []string
	var commonBits uint32
	for i, t := range sr.terms { // rarest first
		if !t.rare && len(common) < maxConjunction {
			common = append(common, t.match)
			commonBits |= 1 << i
		}
	}
	if len(common) > 1 && len(sr.phraseExprs) == 0 {
		// Common words that seldom meet would have FTS5 walk all their
		// postings: this covers the newest scanWindow entries only.
		ids, err := sr.recent(ctx, strings.Join(common, " AND "), recentLimit, sr.maxID-scanWindow)
		if err != nil {
			return nil, err
		}
		mark(ids, commonBits, false)
	}
	out := make([]candidate, 0, len(holds))
	for id, bits := range holds {
		c := candidate{id: id}
		for i, t := range sr.terms {
			if bits&(1<<i) != 0 {
				c.score += t.idf
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].id > out[j].id
	})
	return out, nil
}

// recent returns up to limit entries the asking channel may see that match
// expr, newest first. FTS5 walks the postings from the newest and the LIMIT
// stops it, so a match near the top costs little however long the postings.
func (sr *searcher) recent(ctx context.Context, expr string, limit int, floor int64) ([]int64, error) {
	return sr.rowids(ctx, `SELECT f.rowid FROM entries_fts f JOIN entries e ON e.id = f.rowid
		WHERE entries_fts MATCH ? AND f.rowid > ? AND `+sr.filterSQL+` ORDER BY f.rowid DESC LIMIT ?`,
		append(append([]any{expr, floor}, sr.filterArgs...), limit)...)
}

// phrasesHaveRareWord reports whether every phrase holds a word whose
// postings are short, which bounds FTS5's work on the phrase.
func (sr *searcher) phrasesHaveRareWord() bool {
	rare := map[string]bool{}
	for _, t := range sr.terms {
		if t.rare && !t.prefix {
			rare[t.word] = true
		}
	}
	for _, ph := range sr.q.phrases {
		ok := false
		for _, w := range ph {
			ok = ok || rare[w]
		}
		if !ok {
			return false
		}
	}
	return true
}

// rank runs the second stage over the best candidates.
func (sr *searcher) rank(ctx context.Context, cands []candidate) ([]Hit, error) {
	var hits []Hit
	for batch := 0; batch < rescoreBatches && len(cands) > 0 && len(hits) < sr.limit; batch++ {
		n := min(rescoreBatch, len(cands))
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = cands[i].id
		}
		cands = cands[n:]
		more, err := sr.score(ctx, ids)
		if err != nil {
			return nil, err
		}
		hits = append(hits, more...)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		if !hits[i].CreatedAt.Equal(hits[j].CreatedAt) {
			return hits[i].CreatedAt.After(hits[j].CreatedAt)
		}
		return hits[i].ID > hits[j].ID
	})
	if len(hits) > sr.limit {
		hits = hits[:sr.limit]
	}
	for i := range hits {
		hits[i].Snippet, hits[i].Highlights = snippet(hits[i].Answer, tokenize(hits[i].Answer), sr.terms, sr.stems)
	}
	return hits, nil
}

// score loads entries by ID under the visibility and filter clause and
// scores each in full.
func (sr *searcher) score(ctx context.Context, ids []int64) ([]Hit, error) {
	rows, err := sr.tx.QueryContext(ctx, `SELECT `+entryColumns+`
		FROM json_each(?) AS j CROSS JOIN entries e ON e.id = j.value
		WHERE `+sr.filterSQL, append([]any{jsonList(ids)}, sr.filterArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		if h.Entry, err = scanEntry(rows); err != nil {
			return nil, err
		}
		if sr.scoreHit(&h) {
			hits = append(hits, h)
		}
	}
	return hits, rows.Err()
}

// scoreHit computes a loaded entry's full score. It reports false when the
// entry holds an excluded word or matches nothing after all.
func (sr *searcher) scoreHit(h *Hit) bool {
	fields := [3][]token{tokenize(h.Question), tokenize(h.Answer), tokenize(strings.Join(h.Tags, " "))}
	if sr.excluded(fields[0], fields[1], fields[2]) {
		return false
	}
	weights := [3]float64{weightQuestion, weightAnswer, weightTags}
	var bm, matched, matchedQ, total float64
	// pos[t][f] are the positions of term t in field f, for proximity.
	pos := make([][3][]int, len(sr.terms))
	for ti, t := range sr.terms {
		total += t.idf
		var tfn float64
		var inQ bool
		for f, toks := range fields {
			tf := 0
			for i, tok := range toks {
				if t.matches(sr.stems, tok) {
					tf++
					pos[ti][f] = append(pos[ti][f], i)
				}
			}
			if tf == 0 {
				continue
			}
			norm := 1 - bm25B + bm25B*float64(len(toks))/sr.avg[f]
			tfn += weights[f] * float64(tf) / norm
			if f != 1 {
				inQ = true
			}
		}
		if tfn == 0 {
			continue
		}
		bm += t.idf * tfn * (bm25K1 + 1) / (bm25K1 + tfn)
		matched += t.idf
		h.MatchedWords++
		if inQ {
			matchedQ += t.idf
		}
	}
	if matched == 0 && len(sr.phraseExprs) == 0 {
		return false
	}
	bm += sr.proximity(pos, fields)
	total += sr.unknownIDF
	if total > 0 {
		h.Coverage, h.QuestionCoverage = matched/total, matchedQ/total
	}
	h.Score = bm * prior(h.Entry, sr.q.howTo)
	return true
}

// proximity rewards the question's words found close together, in the order
// asked: for each neighbouring pair of query words, the smaller idf of the
// two divided by their nearest distance in any field, up to four words apart.
func (sr *searcher) proximity(pos [][3][]int, fields [3][]token) float64 {
	index := map[string]int{}
	for i, t := range sr.terms {
		index[t.word] = i
	}
	var bonus float64
	for i := 0; i+1 < len(sr.q.terms); i++ {
		a, okA := index[sr.q.terms[i]]
		b, okB := index[sr.q.terms[i+1]]
		if !okA || !okB {
			continue
		}
		best := math.MaxInt
		for f := range fields {
			for _, pa := range pos[a][f] {
				for _, pb := range pos[b][f] {
					if d := pb - pa; d > 0 && d < best {
						best = d
					} else if d < 0 && -d+1 < best {
						best = -d + 1 // reversed order counts, a little less
					}
				}
			}
		}
		if best <= 4 {
			bonus += 0.5 * min(sr.terms[a].idf, sr.terms[b].idf) / float64(best)
		}
	}
	return bonus
}

// prior is what the repertoire knows about an entry beyond its words: how
// many members endorsed it, whether recall answers showing it helped, and,
// for how-to questions, whether it is a solution. A multiplier, so relevance
// stays first.
func prior(e Entry, howTo bool) float64 {
	p := 1 + 0.1*math.Log1p(float64(max(e.Votes, 0)))
	fb := float64(e.Helpful-e.Unhelpful) / float64(e.Helpful+e.Unhelpful+2)
	p *= 1 + 0.2*fb
	if howTo {
		switch e.Kind {
		case Solution, HowWeDo:
			p *= 1.15
		case Tip:
			p *= 1.05
		}
	}
	return p
}

func (t *qterm) matches(st *stemmer, tok token) bool {
	if t.prefix {
		return strings.HasPrefix(tok.raw, t.word)
	}
	return tok.raw == t.word || st.of(tok.raw) == t.stem
}

// excluded reports whether any field holds a word the member excluded (-word).
func (sr *searcher) excluded(fields ...[]token) bool {
	if len(sr.q.not) == 0 {
		return false
	}
	if sr.stems == nil {
		sr.stems = newStemmer(sr.q.not)
	}
	for _, w := range sr.q.not {
		st := stem(w)
		for _, toks := range fields {
			for _, tok := range toks {
				if tok.raw == w || sr.stems.of(tok.raw) == st {
					return true
				}
			}
		}
	}
	return false
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
// the words joined with OR. Empty when no word is left. It is the plain
// bm25 baseline recall-bench compares Search with.
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
