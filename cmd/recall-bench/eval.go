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
	"sort"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
)

// evalChannel is the one public channel evaluation entries live in.
var evalChannel = repertoire.Channel{Platform: "eval", Space: "s", ID: "c", Name: "eval"}

// ranker returns the source IDs of the best entries for a question, best first.
type ranker func(ctx context.Context, text string, limit int) ([]string, error)

// rankers opens a store and returns ours and plain bm25 over the same file.
func rankers(ctx context.Context, store *repertoire.Store, file string) (ours, plain ranker, closeFn func(), err error) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, nil, nil, err
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
	return ours, plain, func() { db.Close() }, nil
}

func saveEval(ctx context.Context, s *repertoire.Store, id, question, answer string) error {
	if len(answer) > repertoire.MaxTextBytes-1024 {
		answer = answer[:repertoire.MaxTextBytes-1024]
	}
	if len(question) > repertoire.MaxTextBytes-1024 {
		question = question[:repertoire.MaxTextBytes-1024]
	}
	_, _, err := s.Save(ctx, repertoire.SaveParams{
		Channel: evalChannel, SourceID: id, Kind: repertoire.Solution, Question: question, Answer: answer,
		Author: repertoire.Person{ID: "author"}, Saver: repertoire.Person{ID: "saver"},
	})
	return err
}

type semevalFile struct {
	Questions []struct {
		ID      string `xml:"ORGQ_ID,attr"`
		Subject string `xml:"OrgQSubject"`
		Body    string `xml:"OrgQBody"`
		Threads []struct {
			Rel struct {
				ID        string `xml:"RELQ_ID,attr"`
				Relevance string `xml:"RELQ_RELEVANCE2ORGQ,attr"`
				Subject   string `xml:"RelQSubject"`
				Body      string `xml:"RelQBody"`
			} `xml:"RelQuestion"`
			Comments []string `xml:"RelComment>RelCText"`
		} `xml:"Thread"`
	} `xml:"OrgQuestion"`
}

// semevalQuality indexes every related question of the file with its
// comments as one entry (question: subject and body; answer: the comments),
// asks each original question against the whole pool and reports MAP (over
// the top 50; average precision divided by all relevant entries in the pool)
// and recall@3, PerfectMatch and Relevant counting as relevant.
func semevalQuality(ctx context.Context, w io.Writer, dir, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f semevalFile
	if err := xml.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	file := filepath.Join(dir, "semeval.db")
	os.Remove(file)
	store, err := repertoire.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	seen := map[string]bool{}
	for _, q := range f.Questions {
		for _, t := range q.Threads {
			if seen[t.Rel.ID] {
				continue
			}
			seen[t.Rel.ID] = true
			answer := strings.Join(t.Comments, "\n")
			if strings.TrimSpace(answer) == "" {
				answer = t.Rel.Body
			}
			if err := saveEval(ctx, store, t.Rel.ID, t.Rel.Subject+"\n"+t.Rel.Body, answer); err != nil {
				return fmt.Errorf("index %s: %w", t.Rel.ID, err)
			}
		}
	}
	ours, plain, closeFn, err := rankers(ctx, store, file)
	if err != nil {
		return err
	}
	defer closeFn()
	// The file repeats an original question once per related thread: group.
	type original struct {
		text     string
		relevant map[string]bool
	}
	var order []string
	originals := map[string]*original{}
	for _, q := range f.Questions {
		o := originals[q.ID]
		if o == nil {
			o = &original{text: q.Subject + "\n" + q.Body, relevant: map[string]bool{}}
			originals[q.ID] = o
			order = append(order, q.ID)
		}
		for _, t := range q.Threads {
			if t.Rel.Relevance == "PerfectMatch" || t.Rel.Relevance == "Relevant" {
				o.relevant[t.Rel.ID] = true
			}
		}
	}
	type score struct{ ap, r3 float64 }
	var sums [2]score
	asked := 0
	for _, id := range order {
		o := originals[id]
		relevant := o.relevant
		if len(relevant) == 0 {
			continue
		}
		asked++
		for i, r := range []ranker{ours, plain} {
			got, err := r(ctx, o.text, 50)
			if err != nil {
				return err
			}
			var hits, ap, r3 float64
			for k, id := range got {
				if relevant[id] {
					hits++
					ap += hits / float64(k+1)
					if k < 3 {
						r3++
					}
				}
			}
			sums[i].ap += ap / float64(len(relevant))
			sums[i].r3 += r3 / float64(len(relevant))
		}
	}
	fmt.Fprintf(w, "\n== SemEval-2016 Task 3 (%s): %d entries, %d original questions with a relevant one\n",
		filepath.Base(path), len(seen), asked)
	fmt.Fprintf(w, "%-12s %8s %8s\n", "", "MAP", "R@3")
	for i, name := range []string{"recall", "plain bm25"} {
		fmt.Fprintf(w, "%-12s %8.4f %8.4f\n", name, sums[i].ap/float64(asked), sums[i].r3/float64(asked))
	}
	return nil
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
func livechatQuality(ctx context.Context, w io.Writer, dir, folder string) error {
	files, err := filepath.Glob(filepath.Join(folder, "*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return fmt.Errorf("no .txt dialog files in %s", folder)
	}
	file := filepath.Join(dir, "livechat.db")
	os.Remove(file)
	store, err := repertoire.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	type probe struct{ id, question string }
	var probes []probe
	for _, path := range files {
		dialogs, err := readDialogs(path)
		if err != nil {
			return err
		}
		for n, d := range dialogs {
			k := 1
			for k < len(d) && d[k].author == d[0].author {
				k++
			}
			var opening, rest []string
			for _, m := range d[:k] {
				opening = append(opening, m.text)
			}
			for _, m := range d[k:] {
				rest = append(rest, m.text)
			}
			if len(rest) == 0 || len(repertoire.Terms(strings.Join(opening, " "))) == 0 {
				continue
			}
			id := fmt.Sprintf("%s#%d", filepath.Base(path), n)
			if err := saveEval(ctx, store, id, "", strings.Join(rest, "\n")); err != nil {
				return fmt.Errorf("index %s: %w", id, err)
			}
			probes = append(probes, probe{id, strings.Join(opening, "\n")})
		}
	}
	ours, plain, closeFn, err := rankers(ctx, store, file)
	if err != nil {
		return err
	}
	defer closeFn()
	var top3, top1 [2]int
	for _, p := range probes {
		for i, r := range []ranker{ours, plain} {
			got, err := r(ctx, p.question, 3)
			if err != nil {
				return err
			}
			for k, id := range got {
				if id == p.id {
					top3[i]++
					if k == 0 {
						top1[i]++
					}
				}
			}
		}
	}
	fmt.Fprintf(w, "\n== LiveChat known-item recall (%d files): %d dialogs asked by their opening message\n", len(files), len(probes))
	fmt.Fprintf(w, "%-12s %8s %8s\n", "", "top-3", "top-1")
	for i, name := range []string{"recall", "plain bm25"} {
		fmt.Fprintf(w, "%-12s %8.4f %8.4f\n", name, float64(top3[i])/float64(len(probes)), float64(top1[i])/float64(len(probes)))
	}
	return nil
}
