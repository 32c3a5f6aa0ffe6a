package main

import (
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/learn"
	"github.com/repertoire/repertoire/repertoire"
)

// evalChannel is the one public channel evaluation entries live in.
var evalChannel = repertoire.Channel{Platform: "eval", Space: "s", ID: "c", Name: "eval"}

// ranker returns the source IDs of the best entries for a question, best first.
type ranker func(ctx context.Context, text string, limit int) ([]string, error)

// rankers opens a store and returns ours, ours re-ranked (bot.Rerank over
// bot.RerankPool candidates or the limit asked, whichever is more) and plain
// bm25 over the same file.
func rankers(ctx context.Context, store repertoire.Store, file string) (ours, reranked, plain ranker, closeFn func(), err error) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	reranked = func(ctx context.Context, text string, limit int) ([]string, error) {
		hits, err := store.Search(ctx, repertoire.SearchParams{Text: text, From: evalChannel, Limit: max(limit, bot.RerankPool)})
		if err != nil {
			return nil, err
		}
		hits = bot.Rerank(text, hits)
		out := make([]string, 0, limit)
		for _, h := range hits[:min(limit, len(hits))] {
			out = append(out, h.SourceID)
		}
		return out, nil
	}
	ours = func(ctx context.Context, text string, limit int) ([]string, error) {
		hits, err := store.Search(ctx, repertoire.SearchParams{Text: text, From: evalChannel, Limit: limit})
		if err != nil {
			return nil, err
		}
		out := make([]string, len(hits))
		for i, h := range hits {
			out[i] = h.SourceID
		}
		return out, nil
	}
	plain = func(ctx context.Context, text string, limit int) ([]string, error) {
		ids, err := plainBM25(ctx, db, text, evalChannel, limit)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			if err := db.QueryRowContext(ctx, `SELECT source_id FROM entries WHERE id = ?`, id).Scan(&out[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return ours, reranked, plain, func() { db.Close() }, nil
}

func saveEval(ctx context.Context, s repertoire.Store, id, question, answer string) error {
	return saveEvalIn(ctx, s, evalChannel, id, question, answer)
}

// saveEvalIn is saveEval into channel ch.
func saveEvalIn(ctx context.Context, s repertoire.Store, ch repertoire.Channel, id, question, answer string) error {
	if len(answer) > repertoire.MaxTextBytes-1024 {
		answer = answer[:repertoire.MaxTextBytes-1024]
	}
	if len(question) > repertoire.MaxTextBytes-1024 {
		question = question[:repertoire.MaxTextBytes-1024]
	}
	_, _, err := s.Save(ctx, repertoire.SaveParams{
		Channel: ch, SourceID: id, Kind: repertoire.Solution, Question: question, Answer: answer,
		Author: repertoire.Person{ID: "author"}, Saver: repertoire.Person{ID: "saver"},
	})
	return err
}

// ownChannel is where ownStore keeps an original question's own related
// threads: a space of their own, so that Search from it sees them alone.
func ownChannel(orgID string) repertoire.Channel {
	return repertoire.Channel{Platform: "eval", Space: "own-" + orgID, ID: "c", Name: "own"}
}

// ownStore indexes the file's related threads as semevalQuality's pool
// does (the same entries, so the same statistics and scores), each in its
// original question's ownChannel: Search from there orders a question's own
// ten threads alone, as subtask B asks of a system.
func ownStore(ctx context.Context, file string, f *semevalFile) (*sqlite.Store, error) {
	os.Remove(file)
	store, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return nil, err
	}
	if _, err := indexThreads(ctx, store, f, ownChannel); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

// indexThreads saves each related thread of f once, as an entry whose
// question is its subject and body and whose answer its comments (its body
// when it has none), into channel(its original question's ID), and says
// how many it saved.
func indexThreads(ctx context.Context, store repertoire.Store, f *semevalFile, channel func(orgID string) repertoire.Channel) (int, error) {
	seen := map[string]bool{}
	for _, q := range f.Questions {
		for _, t := range q.Threads {
			if seen[t.Rel.ID] {
				continue
			}
			seen[t.Rel.ID] = true
			e := threadEntry(t.Rel.ID, t.Rel.Subject, t.Rel.Body, t.Comments)
			if err := saveEvalIn(ctx, store, channel(q.ID), e.SourceID, e.Question, e.Answer); err != nil {
				return 0, fmt.Errorf("index %s: %w", t.Rel.ID, err)
			}
		}
	}
	return len(seen), nil
}

// threadEntry is a related thread as the evaluation saves it: its subject
// and body as the question, its comments as the answer (its body when it
// has none).
func threadEntry(id, subject, body string, comments []string) repertoire.Entry {
	answer := strings.Join(comments, "\n")
	if strings.TrimSpace(answer) == "" {
		answer = body
	}
	return repertoire.Entry{SourceID: id, Question: subject + "\n" + body, Answer: answer}
}

type semevalFile struct {
	Questions []struct {
		ID      string `xml:"ORGQ_ID,attr"`
		Subject string `xml:"OrgQSubject"`
		Body    string `xml:"OrgQBody"`
		Threads []struct {
			Rel struct {
				ID        string `xml:"RELQ_ID,attr"`
				Order     int    `xml:"RELQ_RANKING_ORDER,attr"`
				Relevance string `xml:"RELQ_RELEVANCE2ORGQ,attr"`
				Subject   string `xml:"RelQSubject"`
				Body      string `xml:"RelQBody"`
			} `xml:"RelQuestion"`
			Comments []string `xml:"RelComment>RelCText"`
		} `xml:"Thread"`
	} `xml:"OrgQuestion"`
}

// fittedHere warns that the table above it is not held out.
const fittedHere = "(recall+rerank is recall as it ships: its learned weights, bot/rerank_weights.go, were fitted on these files, so this row is not held out; the cross-validated figures below are)"

// questionScores are one original question's figures under one ranker.
type questionScores struct {
	ap      float64 // pool: average precision over the top 50, ÷ all relevant in the pool
	r3      float64 // pool: relevant in the top 3 ÷ all relevant
	r3min   float64 // pool: relevant in the top 3 ÷ min(3, relevant)
	subtask float64 // subtask B: average precision of its own related questions re-ranked
	hasRel  bool
}

// semevalQuality indexes every related question of the file with its
// comments as one entry (question: subject and body; answer: the comments)
// and asks each original question two ways:
//
//   - against the whole pool: MAP over the top 50 (average precision ÷ all
//     relevant entries in the pool) and recall@3 read both ways (÷ all
//     relevant; ÷ min(3, relevant)), over the questions with a relevant one;
//   - the official subtask B reading: its own ten related questions
//     re-ranked (by their place in the pool's top 50, the rest after in the
//     search engine's order), MAP over the top 10 as the task's scorer
//     computes it (a question without a relevant one scores 0), beside the
//     search engine's own order.
//
// PerfectMatch and Relevant count as relevant. Each figure carries a 95%
// bootstrap interval over original questions.
func semevalQuality(ctx context.Context, w io.Writer, dir, path string, folds int) (*cvSet, error) {
	fmt.Fprintf(w, "\nreading %s\n", path)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f semevalFile
	if err := xml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	file := filepath.Join(dir, "semeval.db")
	os.Remove(file)
	store, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	entries, err := indexThreads(ctx, store, &f, func(string) repertoire.Channel { return evalChannel })
	if err != nil {
		return nil, err
	}
	ours, reranked, plain, closeFn, err := rankers(ctx, store, file)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	// The file repeats an original question once per related thread: group.
	type original struct {
		text     string
		relevant map[string]bool
		own      []string // its related threads in the search engine's order
		order    map[string]int
	}
	var order []string
	originals := map[string]*original{}
	threads := map[string]repertoire.Entry{} // each related thread as indexThreads saves it
	for _, q := range f.Questions {
		o := originals[q.ID]
		if o == nil {
			o = &original{text: q.Subject + "\n" + q.Body, relevant: map[string]bool{}, order: map[string]int{}}
			originals[q.ID] = o
			order = append(order, q.ID)
		}
		for _, t := range q.Threads {
			if t.Rel.Relevance == "PerfectMatch" || t.Rel.Relevance == "Relevant" {
				o.relevant[t.Rel.ID] = true
			}
			threads[t.Rel.ID] = threadEntry(t.Rel.ID, t.Rel.Subject, t.Rel.Body, t.Comments)
			if _, dup := o.order[t.Rel.ID]; !dup {
				o.order[t.Rel.ID] = t.Rel.Order
				o.own = append(o.own, t.Rel.ID)
			}
		}
	}
	for _, o := range originals {
		sort.SliceStable(o.own, func(a, b int) bool { return o.order[o.own[a]] < o.order[o.own[b]] })
	}
	names := []string{"recall", "recall+rerank", "plain bm25", "search engine"}
	scores := make([][]questionScores, len(names))
	for _, id := range order {
		o := originals[id]
		for i, r := range []ranker{ours, reranked, plain, nil} {
			var got []string
			if r != nil {
				if got, err = r(ctx, o.text, 50); err != nil {
					return nil, err
				}
			}
			s := questionScores{hasRel: len(o.relevant) > 0}
			if s.hasRel && r != nil {
				var hits float64
				for k, id := range got {
					if o.relevant[id] {
						hits++
						s.ap += hits / float64(k+1)
						if k < 3 {
							s.r3++
						}
					}
				}
				s.ap /= float64(len(o.relevant))
				s.r3min = s.r3 / float64(min(3, len(o.relevant)))
				s.r3 /= float64(len(o.relevant))
			}
			s.subtask = averagePrecision(rerank(o.own, got), o.relevant, 10)
			scores[i] = append(scores[i], s)
		}
	}
	withRel := 0
	for _, s := range scores[0] {
		if s.hasRel {
			withRel++
		}
	}
	mean := func(ss []questionScores, pool bool, get func(questionScores) float64) func([]int) float64 {
		return func(idx []int) float64 {
			sum, n := 0.0, 0
			for _, i := range idx {
				if pool && !ss[i].hasRel {
					continue
				}
				sum += get(ss[i])
				n++
			}
			return sum / float64(max(n, 1))
		}
	}
	nq := len(order)
	fmt.Fprintf(w, "== SemEval-2016 Task 3 (%s): %d entries, %d original questions (%d with a relevant one); 95%% bootstrap intervals over questions\n",
		filepath.Base(path), entries, nq, withRel)
	fmt.Fprintf(w, "%-14s %-26s %-26s %-26s %-26s\n", "", "pool MAP@50", "pool R@3 (÷relevant)", "pool R@3 (÷min(3,rel))", "subtask B MAP (own 10)")
	for i, name := range names {
		ss := scores[i]
		cell := func(pool bool, get func(questionScores) float64) string {
			if pool && i == 3 {
				return "-"
			}
			return learn.Bootstrap(nq, 2000, uint64(10+i), mean(ss, pool, get)).Dec()
		}
		fmt.Fprintf(w, "%-14s %-26s %-26s %-26s %-26s\n", name,
			cell(true, func(s questionScores) float64 { return s.ap }),
			cell(true, func(s questionScores) float64 { return s.r3 }),
			cell(true, func(s questionScores) float64 { return s.r3min }),
			cell(false, func(s questionScores) float64 { return s.subtask }))
	}
	fmt.Fprintln(w, fittedHere)
	diff := func(a, b int, pool bool, get func(questionScores) float64) string {
		fa, fb := mean(scores[a], pool, get), mean(scores[b], pool, get)
		return learn.Bootstrap(nq, 2000, 30, func(idx []int) float64 { return fa(idx) - fb(idx) }).Dec()
	}
	ap := func(s questionScores) float64 { return s.ap }
	fmt.Fprintf(w, "paired differences (95%% bootstrap over questions):\n")
	fmt.Fprintf(w, "  pool MAP, recall+rerank - plain bm25        %s\n", diff(1, 2, true, ap))
	fmt.Fprintf(w, "  pool MAP, recall+rerank - recall            %s\n", diff(1, 0, true, ap))
	fmt.Fprintf(w, "  subtask B, recall+rerank - search engine    %s\n", diff(1, 3, false, func(s questionScores) float64 { return s.subtask }))
	if folds < 2 {
		return nil, nil
	}
	// Cross-validation: what each original question teaches when its fold
	// trains is its related threads as saved pairs (question, comments), and
	// the relevant ones as pairs the asker found helpful.
	own, err := ownStore(ctx, filepath.Join(dir, "semeval-own.db"), &f)
	if err != nil {
		return nil, err
	}
	defer own.Close()
	var queries []*cvQuery
	for i, id := range order {
		o := originals[id]
		q := &cvQuery{text: o.text, fold: i % folds, relevant: o.relevant, own: o.own}
		if err := searchDeep(ctx, store, plain, q); err != nil {
			return nil, err
		}
		if q.ownHits, err = own.Search(ctx, repertoire.SearchParams{Text: q.text, From: ownChannel(id), Limit: cvDepth}); err != nil {
			return nil, err
		}
		q.engineHits = engineFirst(o.own, q.ownHits, threads)
		queries = append(queries, q)
	}
	byID := map[string]*cvQuery{}
	for i, id := range order {
		byID[id] = queries[i]
	}
	for _, q := range f.Questions {
		cq := byID[q.ID]
		for _, t := range q.Threads {
			rel := t.Rel.Subject + "\n" + t.Rel.Body
			comments := strings.Join(t.Comments, "\n")
			cq.teaches = append(cq.teaches, [2]string{rel, comments})
			if cq.relevant[t.Rel.ID] {
				cq.teaches = append(cq.teaches, [2]string{cq.text, rel + "\n" + comments})
			}
		}
	}
	return &cvSet{name: filepath.Base(path), queries: queries, memo: &signalMemo{}, objective: func(s cvScore) float64 { return s.ap }}, nil
}

// rerank orders a question's own related threads by their place in the
// pool's ranking; those the ranking left out follow in the given order.
func rerank(own, ranking []string) []string {
	place := map[string]int{}
	for k, id := range ranking {
		if _, ok := place[id]; !ok {
			place[id] = k
		}
	}
	out := slices.Clone(own)
	sort.SliceStable(out, func(a, b int) bool {
		pa, oka := place[out[a]]
		pb, okb := place[out[b]]
		switch {
		case oka && okb:
			return pa < pb
		case oka != okb:
			return oka
		}
		return false
	})
	return out
}

// averagePrecision over the top n of ranked, divided by the relevant ones
// among them (the SemEval scorer's reading); 0 when none is relevant.
func averagePrecision(ranked []string, relevant map[string]bool, n int) float64 {
	var hits, sum float64
	for k, id := range ranked {
		if k >= n {
			break
		}
		if relevant[id] {
			hits++
			sum += hits / float64(k+1)
		}
	}
	if hits == 0 {
		return 0
	}
	return sum / hits
}

var chatLine = regexp.MustCompile(`^\s*(?:\d+\s+)?\[([^\]]*)\]\s*<([^>]*)>\s?(.*)$`)

type chatMessage struct{ author, text string }

// readDialogs reads a LiveChat file: messages "[time] <nick> text" (some
// numbered), dialogs separated by a line of dashes.
func readDialogs(path string) ([][]chatMessage, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]chatMessage
	var cur []chatMessage
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(strings.TrimSpace(line), "-----") {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		if m := chatLine.FindStringSubmatch(line); m != nil {
			cur = append(cur, chatMessage{author: m[2], text: m[3]})
		} else if strings.TrimSpace(line) != "" && len(cur) > 0 {
			cur[len(cur)-1].text += "\n" + line
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// livechatQuality indexes each dialog without its opening message (the
// first speaker's messages before anyone else speaks) and asks with that
// opening: how often the dialog comes back in the top 3.
func livechatQuality(ctx context.Context, w io.Writer, dir, folder string, folds int, rd dialogReading) (*cvSet, error) {
	files, err := filepath.Glob(filepath.Join(folder, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no .txt dialog files in %s", folder)
	}
	fmt.Fprintln(w)
	for _, f := range files {
		fmt.Fprintf(w, "reading %s\n", f)
	}
	file := filepath.Join(dir, "livechat.db")
	os.Remove(file)
	store, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	probes, err := livechatDialogItems(files, rd)
	if err != nil {
		return nil, err
	}
	for _, p := range probes {
		if err := saveEval(ctx, store, p.id, "", p.answer); err != nil {
			return nil, fmt.Errorf("index %s: %w", p.id, err)
		}
	}
	ours, reranked, plain, closeFn, err := rankers(ctx, store, file)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	names := []string{"recall", "recall+rerank", "plain bm25"}
	top3 := make([][]bool, len(names))
	top1 := make([][]bool, len(names))
	for _, p := range probes {
		for i, r := range []ranker{ours, reranked, plain} {
			got, err := r(ctx, p.question, 3)
			if err != nil {
				return nil, err
			}
			k := slices.Index(got, p.id)
			top3[i] = append(top3[i], k >= 0)
			top1[i] = append(top1[i], k == 0)
		}
	}
	share := func(hits []bool) func([]int) float64 {
		return func(idx []int) float64 {
			n := 0.0
			for _, i := range idx {
				if hits[i] {
					n++
				}
			}
			return n / float64(max(len(idx), 1))
		}
	}
	fmt.Fprintf(w, "\n== LiveChat known-item recall (%d files): %d dialogs asked by their opening message; 95%% bootstrap intervals over dialogs\n", len(files), len(probes))
	fmt.Fprintf(w, "%-12s %-26s %-26s\n", "", "top-3", "top-1")
	for i, name := range names {
		fmt.Fprintf(w, "%-12s %-26s %-26s\n", name, learn.Bootstrap(len(probes), 2000, 20, share(top3[i])).Dec(),
			learn.Bootstrap(len(probes), 2000, 21, share(top1[i])).Dec())
	}
	fmt.Fprintln(w, fittedHere)
	a, b := share(top3[1]), share(top3[2])
	fmt.Fprintf(w, "paired difference, top-3, recall+rerank - plain bm25: %s\n",
		learn.Bootstrap(len(probes), 2000, 22, func(idx []int) float64 { return a(idx) - b(idx) }).Dec())
	if folds < 2 {
		return nil, nil
	}
	// Cross-validation: a dialog teaches its opening and the rest as a pair.
	var queries []*cvQuery
	for i, p := range probes {
		q := &cvQuery{text: p.question, fold: i % folds, relevant: map[string]bool{p.id: true}, teaches: [][2]string{{p.question, p.answer}}}
		if err := searchDeep(ctx, store, plain, q); err != nil {
			return nil, err
		}
		queries = append(queries, q)
	}
	if err := livechatUnreached(ctx, w, store, queries, folds); err != nil {
		return nil, err
	}
	return &cvSet{name: "LiveChat " + filepath.Base(folder), queries: queries, memo: &signalMemo{}, objective: livechatObjective}, nil
}

// assocExpandWords is how many associated words livechatUnreached adds.
const assocExpandWords = 10

// livechatUnreached prints how many dialogs Search's top cvDepth misses
// (they share no indexed word with their opening: no re-ranking can bring
// them back) and how many of those a second Search reaches when the
// opening is widened by the words it is most associated with
// (bot.AssocExpansion), associations learned from the other folds'
// dialogs only.
func livechatUnreached(ctx context.Context, w io.Writer, store repertoire.Store, queries []*cvQuery, folds int) error {
	counts := make([]*repertoire.AssocCounts, folds)
	for f := range counts {
		counts[f] = repertoire.NewAssocCounts()
		for _, q := range queries {
			if q.fold != f {
				for _, p := range q.teaches {
					qk, ak := bot.LearnKeys(p[0], p[1])
					counts[f].Add(qk, ak)
				}
			}
		}
	}
	missed, top50, top3 := 0, 0, 0
	for _, q := range queries {
		if slices.ContainsFunc(q.hits, func(h repertoire.Hit) bool { return q.relevant[h.SourceID] }) {
			continue
		}
		missed++
		a := bot.NewAssoc(counts[q.fold].For(bot.AssocKeys(q.text, 32), bot.AssocPerKey))
		words := bot.AssocExpansion(q.text, a, assocExpandWords)
		if len(words) == 0 {
			continue
		}
		hits, err := store.Search(ctx, repertoire.SearchParams{Text: q.text + "\n" + strings.Join(words, " "), From: evalChannel, Limit: cvDepth})
		if err != nil {
			return err
		}
		if k := slices.IndexFunc(hits, func(h repertoire.Hit) bool { return q.relevant[h.SourceID] }); k >= 0 {
			top50++
			if k < 3 {
				top3++
			}
		}
	}
	fmt.Fprintf(w, "dialogs outside Search's top %d (no indexed word shared with the opening): %d of %d; the opening widened by its %d most associated words (associations from the other folds) brings %d of them into the top %d, %d into the top 3\n",
		cvDepth, missed, len(queries), assocExpandWords, top50, cvDepth, top3)
	return nil
}

// dialogItem is a LiveChat dialog split for known-item recall: its opening
// (the first speaker's messages before anyone else speaks) is the question,
// the rest of the dialog the answer that is indexed.
type dialogItem struct{ id, question, answer string }

// dialogReading says how LiveChat's text becomes what recall sees. The
// data set anonymised it: a removed link, code or issue reference left a
// marker ([<-LINK->], [<-CODE->], [<-ISSUE->]). markers says what becomes
// of them: "keep" reads them as the words link, code, issue (a weak trace
// of what real text holds: a question with code tends to get replies with
// code); "drop" removes them (the removed text's words are not known);
// "url" reads a link as the one word every real link gives the index
// ("https") and drops the others. Neither beat "keep" (README, issue 16's
// seventh stop). With dropAddress, each opening message is asked as a nudge
// asks it, without a leading address to someone who talks in the channel
// (bot.WithoutAddress); recall asked by mention keeps it, as by default.
type dialogReading struct {
	markers     string
	dropAddress bool
}

// anonMarker is one of the LiveChat data set's markers for removed text.
var anonMarker = regexp.MustCompile(`\[<-([A-Z]+)->\]`)

func (r dialogReading) text(s string) string {
	switch r.markers {
	case "drop":
		return anonMarker.ReplaceAllString(s, " ")
	case "url":
		return anonMarker.ReplaceAllStringFunc(s, func(m string) string {
			if m == "[<-LINK->]" {
				return " https:// "
			}
			return " "
		})
	}
	return s
}

// livechatDialogItems reads the dialog files in the order given and returns
// every dialog that has an answer and an opening with searchable words.
func livechatDialogItems(files []string, rd dialogReading) ([]dialogItem, error) {
	var items []dialogItem
	for _, path := range files {
		dialogs, err := readDialogs(path)
		if err != nil {
			return nil, err
		}
		// Who talks in the channel: the names the bot would know from its
		// message log.
		members := bot.Members{}
		for _, d := range dialogs {
			for _, m := range d {
				members.Add(repertoire.Person{Name: m.author})
			}
		}
		for n, d := range dialogs {
			k := 1
			for k < len(d) && d[k].author == d[0].author {
				k++
			}
			var opening, rest []string
			for _, m := range d[:k] {
				t := rd.text(m.text)
				if rd.dropAddress {
					t = bot.WithoutAddress(t, members)
				}
				opening = append(opening, t)
			}
			for _, m := range d[k:] {
				rest = append(rest, rd.text(m.text))
			}
			if len(rest) == 0 || len(repertoire.Terms(strings.Join(opening, " "))) == 0 {
				continue
			}
			items = append(items, dialogItem{fmt.Sprintf("%s#%d", filepath.Base(path), n), strings.Join(opening, "\n"), strings.Join(rest, "\n")})
		}
	}
	return items, nil
}
