package main

import (
	"encoding/xml"
	"fmt"
	"go/format"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/learn"
)

type semevalFile struct {
	Questions []struct {
		ID     string `xml:"ORGQ_ID,attr"`
		Thread struct {
			RelQuestion struct {
				ID       string `xml:"RELQ_ID,attr"`
				UserID   string `xml:"RELQ_USERID,attr"`
				UserName string `xml:"RELQ_USERNAME,attr"`
				Date     string `xml:"RELQ_DATE,attr"`
				Subject  string `xml:"RelQSubject"`
				Body     string `xml:"RelQBody"`
			} `xml:"RelQuestion"`
			Comments []struct {
				ID       string `xml:"RELC_ID,attr"`
				UserID   string `xml:"RELC_USERID,attr"`
				UserName string `xml:"RELC_USERNAME,attr"`
				Date     string `xml:"RELC_DATE,attr"`
				Label    string `xml:"RELC_RELEVANCE2RELQ,attr"`
				Text     string `xml:"RelCText"`
			} `xml:"RelComment"`
		} `xml:"Thread"`
	} `xml:"OrgQuestion"`
}

// qaThread is one forum thread: its question, its comments in order, which
// of them people labelled Good, and the group it is cross-validated with
// (its original question, so that near-duplicate threads share a fold).
type qaThread struct {
	group    int
	question bot.Message
	replies  []bot.Message
	good     []bool
	feats    [][]float64 // bot.AnswerFeatures; nil for non-candidates
	priors   []float64   // bot.AnswerPriors: the hand-set part of the log-odds
}

const botName = "repertoire"

func readSemEvalThreads(path string) ([]qaThread, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	var doc semevalFile
	dec := xml.NewDecoder(f)
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, 0, fmt.Errorf("parse %s: %w", path, err)
	}
	const layout = "2006-01-02 15:04:05"
	seen := map[string]bool{}
	groups := map[string]int{}
	var out []qaThread
	for _, oq := range doc.Questions {
		if _, ok := groups[oq.ID]; !ok {
			groups[oq.ID] = len(groups)
		}
		th := oq.Thread
		q := th.RelQuestion
		if seen[q.ID] || len(th.Comments) == 0 {
			continue
		}
		seen[q.ID] = true
		at, _ := time.Parse(layout, q.Date)
		t := qaThread{group: groups[oq.ID], question: bot.Message{Ref: bot.MessageRef{ID: q.ID}, Author: bot.User{ID: q.UserID, Name: q.UserName},
			Text: strings.TrimSpace(q.Subject + "\n" + q.Body), Time: at}}
		for _, c := range th.Comments {
			at, _ := time.Parse(layout, c.Date)
			t.replies = append(t.replies, bot.Message{Ref: bot.MessageRef{ID: c.ID, Thread: q.ID},
				Author: bot.User{ID: c.UserID, Name: c.UserName}, Text: c.Text, Time: at})
			t.good = append(t.good, c.Label == "Good")
		}
		t.feats = bot.AnswerFeatures(t.question, t.replies, botName)
		t.priors = bot.AnswerPriors(t.question, t.replies, botName)
		out = append(out, t)
	}
	return out, len(groups), nil
}

// folds is the number of cross-validation folds; l2Grid the penalties tried.
const folds = 5

var l2Grid = []float64{0.01, 0.1, 1, 10}

// answerModel is a fitted model: weights and the log-odds above which a
// reply is called useful.
type answerModel struct {
	w         []float64
	threshold float64
	l2        float64
}

// fitAnswerModel fits on the threads given: the penalty by inner k-fold
// cross-validation over their groups, then the weights on all of them, then
// the threshold that maximises F1 over their comments.
func fitAnswerModel(threads []qaThread) (answerModel, error) {
	var x [][]float64
	var y []bool
	var offset []float64
	var fold []int
	groups := map[int]int{}
	for _, t := range threads {
		if _, ok := groups[t.group]; !ok {
			groups[t.group] = len(groups)
		}
		for i, f := range t.feats {
			if f != nil {
				x, y, offset = append(x, f), append(y, t.good[i]), append(offset, t.priors[i])
				fold = append(fold, groups[t.group]%folds)
			}
		}
	}
	if len(x) == 0 {
		return answerModel{}, fmt.Errorf("no replies to learn from")
	}
	l2, _, err := learn.ChooseL2(x, y, offset, fold, min(folds, len(groups)), l2Grid)
	if err != nil {
		return answerModel{}, err
	}
	w, err := learn.Logistic(x, y, offset, l2)
	if err != nil {
		return answerModel{}, err
	}
	// The threshold: try each training reply's log-odds, keep the best F1.
	type scored struct {
		z    float64
		good bool
	}
	var all []scored
	positives := 0
	for _, t := range threads {
		for i, f := range t.feats {
			if t.good[i] {
				positives++
			}
			if f != nil {
				all = append(all, scored{learn.Logit(w, f) + t.priors[i], t.good[i]})
			}
		}
	}
	slices.SortFunc(all, func(a, b scored) int { return cmpDesc(a.z, b.z) })
	best, bestF1, tp, fp := math.Inf(1), -1.0, 0.0, 0.0
	for k, s := range all {
		if s.good {
			tp++
		} else {
			fp++
		}
		if k+1 < len(all) && all[k+1].z == s.z {
			continue
		}
		if f1 := learn.F1(tp, fp, float64(positives)-tp); f1 > bestF1 {
			bestF1, best = f1, s.z
		}
	}
	return answerModel{w: w, threshold: best, l2: l2}, nil
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// threadOutcome is what one method did on one thread.
type threadOutcome struct {
	hit        float64 // its chosen reply is Good
	tp, fp, fn float64 // its useful calls
}

// evalSemEval: for each thread, is the reply chosen as the answer labelled
// Good (precision at 1), and is "this reply is useful" right on every
// comment; the model cross-validated, the shipped weights and the simple
// rules side by side, each with a 95% bootstrap interval over threads.
func evalSemEval(path string, w io.Writer) error {
	fmt.Fprintf(w, "== Answer selection: SemEval-2016 Task 3 (Qatar Living; Nakov et al. 2016)\nreading %s\n", path)
	threads, groups, err := readSemEvalThreads(path)
	if err != nil {
		return err
	}
	comments, good, anyGood := 0, 0, 0
	for _, t := range threads {
		comments += len(t.replies)
		n := 0
		for _, g := range t.good {
			if g {
				n++
			}
		}
		good += n
		if n > 0 {
			anyGood++
		}
	}
	fmt.Fprintf(w, "%d threads with comments (%d original questions), %d comments (%s labelled Good);\n%s of threads have a Good comment (ceiling)\n",
		len(threads), groups, comments, pct(good, comments), pct(anyGood, len(threads)))

	type method struct {
		name string
		out  []threadOutcome
	}
	var methods []method
	add := func(name string, fn func(t qaThread, i int) (choice int, useful []bool)) {
		m := method{name: name, out: make([]threadOutcome, len(threads))}
		for i, t := range threads {
			c, useful := fn(t, i)
			o := &m.out[i]
			if c >= 0 && t.good[c] {
				o.hit = 1
			}
			for k, g := range t.good {
				switch {
				case useful[k] && g:
					o.tp++
				case useful[k]:
					o.fp++
				case g:
					o.fn++
				}
			}
		}
		methods = append(methods, m)
	}

	// Cross-validated: each fold's threads judged by a model fitted on the others.
	k := min(folds, groups)
	if k >= 2 {
		models := make([]answerModel, k)
		for f := range k {
			var train []qaThread
			for _, t := range threads {
				if t.group%k != f {
					train = append(train, t)
				}
			}
			if models[f], err = fitAnswerModel(train); err != nil {
				return fmt.Errorf("fold %d: %w", f, err)
			}
		}
		add(fmt.Sprintf("answer model, %d-fold cross-validated", k), func(t qaThread, _ int) (int, []bool) {
			m := models[t.group%k]
			useful := make([]bool, len(t.replies))
			best, bestZ := -1, math.Inf(-1)
			for i, f := range t.feats {
				if f == nil {
					continue
				}
				z := learn.Logit(m.w, f) + t.priors[i]
				useful[i] = z >= m.threshold
				if z > bestZ {
					best, bestZ = i, z
				}
			}
			return best, useful
		})
	}
	add("shipped weights (fitted on all of this file: in-sample)", func(t qaThread, _ int) (int, []bool) {
		c := bot.ChooseAnswer(t.question, t.replies, botName)
		return c.Index, bot.UsefulReplies(t.question, t.replies, botName)
	})
	add("baseline: first reply", func(t qaThread, _ int) (int, []bool) {
		return 0, make([]bool, len(t.replies))
	})
	add("baseline: first reply by another", func(t qaThread, _ int) (int, []bool) {
		for i, r := range t.replies {
			if r.Author.ID != t.question.Author.ID {
				return i, make([]bool, len(t.replies))
			}
		}
		return -1, make([]bool, len(t.replies))
	})
	add("baseline: every comment", func(t qaThread, _ int) (int, []bool) {
		u := make([]bool, len(t.replies))
		for i := range u {
			u[i] = true
		}
		return -1, u
	})
	add("baseline: every non-asker comment", func(t qaThread, _ int) (int, []bool) {
		u := make([]bool, len(t.replies))
		for i, r := range t.replies {
			u[i] = r.Author.ID != t.question.Author.ID
		}
		return -1, u
	})

	p1 := func(out []threadOutcome) func([]int) float64 {
		return func(idx []int) float64 {
			s := 0.0
			for _, i := range idx {
				s += out[i].hit
			}
			return s / float64(max(len(idx), 1))
		}
	}
	f1 := func(out []threadOutcome) func([]int) float64 {
		return func(idx []int) float64 {
			var tp, fp, fn float64
			for _, i := range idx {
				tp, fp, fn = tp+out[i].tp, fp+out[i].fp, fn+out[i].fn
			}
			return learn.F1(tp, fp, fn)
		}
	}
	diff := func(a, b func([]int) float64) func([]int) float64 {
		return func(idx []int) float64 { return a(idx) - b(idx) }
	}
	const reps = 2000
	n := len(threads)
	fmt.Fprintf(w, "precision@1 (the chosen reply is Good), 95%% bootstrap interval over threads:\n")
	for _, m := range methods {
		if strings.Contains(m.name, "every") {
			continue
		}
		fmt.Fprintf(w, "  %-58s %s\n", m.name, learn.Bootstrap(n, reps, 1, p1(m.out)).Pct())
	}
	fmt.Fprintf(w, "\"this reply is useful\" F1 over all %d comments (gold: Good):\n", comments)
	for _, m := range methods {
		if strings.Contains(m.name, "first") {
			continue
		}
		var tp, fp, fn float64
		for _, o := range m.out {
			tp, fp, fn = tp+o.tp, fp+o.fp, fn+o.fn
		}
		fmt.Fprintf(w, "  %-58s %s  (%s)\n", m.name, learn.Bootstrap(n, reps, 2, f1(m.out)).Pct(), prf(int(tp), int(fp), int(fn)))
	}
	if k >= 2 {
		cv := methods[0].out
		var firstOther, nonAsker []threadOutcome
		for _, m := range methods {
			switch m.name {
			case "baseline: first reply by another":
				firstOther = m.out
			case "baseline: every non-asker comment":
				nonAsker = m.out
			}
		}
		fmt.Fprintf(w, "cross-validated model minus the best baseline (paired bootstrap):\n")
		fmt.Fprintf(w, "  precision@1 vs first reply by another                      %s\n", learn.Bootstrap(n, reps, 3, diff(p1(cv), p1(firstOther))).Pct())
		fmt.Fprintf(w, "  useful F1 vs every non-asker comment                       %s\n", learn.Bootstrap(n, reps, 4, diff(f1(cv), f1(nonAsker))).Pct())
	}
	return nil
}

// trainAnswer fits the answer model on every thread of the file and writes
// it as the Go source of bot/answer_weights.go.
func trainAnswer(path, outFile string, w io.Writer) error {
	threads, _, err := readSemEvalThreads(path)
	if err != nil {
		return err
	}
	m, err := fitAnswerModel(threads)
	if err != nil {
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "// Code generated by \"go run ./cmd/detect-eval -semeval %s -train-answer %s\"; DO NOT EDIT.\n\n", displayPath(path), displayPath(outFile))
	fmt.Fprintf(&sb, "package bot\n\n")
	fmt.Fprintf(&sb, "// answerWeights are the answer model's weights, intercept first, then one\n// per AnswerFeatureNames; L2 penalty %g chosen by %d-fold cross-validation.\n", m.l2, folds)
	fmt.Fprintf(&sb, "func answerWeights() [NumAnswerFeatures + 1]float64 {\n\treturn [NumAnswerFeatures + 1]float64{\n")
	fmt.Fprintf(&sb, "\t\t%.6f, // intercept\n", m.w[0])
	for i, name := range bot.AnswerFeatureNames {
		fmt.Fprintf(&sb, "\t\t%.6f, // %s\n", m.w[i+1], name)
	}
	fmt.Fprintf(&sb, "\t}\n}\n\n")
	fmt.Fprintf(&sb, "// usefulLogit is the log-odds above which a reply reads as useful: the\n// threshold with the best F1 on the training data.\n")
	fmt.Fprintf(&sb, "func usefulLogit() float64 { return %.6f }\n", m.threshold)
	src, err := format.Source([]byte(sb.String()))
	if err != nil {
		return err
	}
	if err := os.WriteFile(outFile, src, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "answer model fitted on %d threads of %s (L2 %g); written to %s\n", len(threads), path, m.l2, outFile)
	return nil
}

// displayPath keeps generated comments free of the trainer's home folders.
func displayPath(p string) string {
	if i := strings.Index(p, "shared/data/"); i >= 0 {
		return "../" + p[i:]
	}
	return p
}
