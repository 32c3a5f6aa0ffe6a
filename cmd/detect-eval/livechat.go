package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

var (
	chatLine     = regexp.MustCompile(`^(?:\d+ )?\[([^\]]+)\] <([^>]+)> ?(.*)$`)
	dialogBreak  = regexp.MustCompile(`^-{10,}\s*$`)
	timeLayouts  = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04"}
	codeHolder   = strings.NewReplacer("[<-CODE->]", "`code`", "[<-LINK->]", "https://link.invalid/")
	openingLines = 3 // a dialog's question may take its asker a few lines
)

type dialog struct {
	msgs []int // indexes into the channel's messages
}

// evalLiveChat runs the real Bot (real SQLite store, message log, assembly,
// scoring, rate limit) over each LiveChat channel as one unthreaded stream
// of MessagePosted events in time order, once in auto mode (every detection saved) and
// once in suggest mode (what members would see), and compares what it
// found with the people's dialog boundaries.
func evalLiveChat(ctx context.Context, dir string, w io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return fmt.Errorf("no *.txt dialog files in %s", dir)
	}
	fmt.Fprintf(w, "== Detection: LiveChat dialogs (Gitter; people separated the dialogs)\n")
	for _, f := range files {
		fmt.Fprintf(w, "reading %s\n", f)
	}
	tmp, err := os.MkdirTemp("", "detect-eval-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var (
		messages, dialogs, questionDialogs int
		found, baseFound                   int
		detections, consistent             int
		baseDetections, baseConsistent     int
		suggestions, suggestionsConsistent int
		foundSuggest                       int
		goldFound                          int // the scorer alone, on the people's dialogs
	)
	for _, file := range files {
		msgs, dls, err := readLiveChat(file)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			continue
		}
		messages += len(msgs)
		dialogs += len(dls)
		dialogOf := map[string]int{}
		for d, dl := range dls {
			for _, i := range dl.msgs {
				dialogOf[msgs[i].Ref.ID] = d
			}
		}
		auto, err := runBot(ctx, filepath.Join(tmp, filepath.Base(file)+".auto.db"), msgs, repertoire.DetectAuto)
		if err != nil {
			return err
		}
		sugg, err := runBot(ctx, filepath.Join(tmp, filepath.Base(file)+".suggest.db"), msgs, repertoire.DetectSuggest)
		if err != nil {
			return err
		}
		base := baselineDetections(msgs)
		check := func(pairs []qa, count, same *int) map[int]bool {
			opened := map[int]bool{}
			for _, p := range pairs {
				*count++
				dq, okq := dialogOf[p.q]
				da, oka := dialogOf[p.a]
				if !okq || !oka || dq != da {
					continue
				}
				*same++
				for k, i := range dls[dq].msgs {
					if k < openingLines && msgs[i].Ref.ID == p.q {
						opened[dq] = true
					}
				}
			}
			return opened
		}
		autoOpened := check(auto, &detections, &consistent)
		suggOpened := check(sugg, &suggestions, &suggestionsConsistent)
		baseOpened := check(base, &baseDetections, &baseConsistent)
		for d, dl := range dls {
			if !opensWithQuestion(msgs, dl) {
				continue
			}
			questionDialogs++
			var conv []bot.Message
			for _, i := range dl.msgs {
				conv = append(conv, msgs[i])
			}
			if ex := bot.Assess(conv, "repertoire"); ex.Found && ex.Score >= bot.DetectThreshold {
				goldFound++
			}
			if autoOpened[d] {
				found++
			}
			if suggOpened[d] {
				foundSuggest++
			}
			if baseOpened[d] {
				baseFound++
			}
		}
	}
	per1k := func(n int) string { return fmt.Sprintf("%6.1f", 1000*float64(n)/float64(max(messages, 1))) }
	fmt.Fprintf(w, "%d messages, %d dialogs, %d of them open with a question (a '?' in the asker's opening lines)\n",
		messages, dialogs, questionDialogs)
	fmt.Fprintf(w, "                                     dialogs found   per 1,000 msgs   within one dialog\n")
	fmt.Fprintf(w, "  repertoire, auto mode (detections)  %s          %s           %s\n", pct(found, questionDialogs), per1k(detections), pct(consistent, detections))
	fmt.Fprintf(w, "  repertoire, suggest mode (posts)    %s          %s           %s\n", pct(foundSuggest, questionDialogs), per1k(suggestions), pct(suggestionsConsistent, suggestions))
	fmt.Fprintf(w, "  scorer alone on people's dialogs    %s                            (assembly done by people)\n", pct(goldFound, questionDialogs))
	fmt.Fprintf(w, "  baseline: '?' then another's reply  %s          %s           %s\n", pct(baseFound, questionDialogs), per1k(baseDetections), pct(baseConsistent, baseDetections))
	fmt.Fprintf(w, "  (found: a detection whose question is among a dialog's first %d lines and whose answer is in that dialog;\n", openingLines)
	fmt.Fprintf(w, "   within one dialog: detections whose question and answer people put in the same dialog)\n")
	return nil
}

type qa struct{ q, a string }

// opensWithQuestion: the dialog's asker puts a '?' in their opening lines.
func opensWithQuestion(msgs []bot.Message, dl dialog) bool {
	if len(dl.msgs) == 0 {
		return false
	}
	first := msgs[dl.msgs[0]]
	for k, i := range dl.msgs {
		if k >= openingLines || msgs[i].Author.ID != first.Author.ID {
			break
		}
		if strings.Contains(msgs[i].Text, "?") {
			return true
		}
	}
	return false
}

// baselineDetections: every message with a '?' that someone else replies to
// within the next five messages, once per question.
func baselineDetections(msgs []bot.Message) []qa {
	var out []qa
	for i, m := range msgs {
		if !strings.Contains(m.Text, "?") {
			continue
		}
		for j := i + 1; j < len(msgs) && j <= i+5; j++ {
			if msgs[j].Author.ID != m.Author.ID {
				out = append(out, qa{m.Ref.ID, msgs[j].Ref.ID})
				break
			}
		}
	}
	return out
}

// recorder is the Platform the evaluation's Bot talks to: it keeps what
// the bot posts.
type recorder struct {
	mu    sync.Mutex
	posts []bot.Outgoing
}

func (r *recorder) Name() string                                 { return "eval" }
func (r *recorder) Run(ctx context.Context, h bot.Handler) error { <-ctx.Done(); return nil }
func (r *recorder) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	return nil, fmt.Errorf("the evaluation platform keeps no threads")
}
func (r *recorder) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, out)
	return bot.MessageRef{Channel: out.Channel, ID: "post" + strconv.Itoa(len(r.posts)), Thread: out.Thread}, nil
}

// runBot feeds the messages to a Bot on a fresh store in the given mode and
// returns the exchanges it suggested or saved.
func runBot(ctx context.Context, dbPath string, msgs []bot.Message, mode repertoire.DetectMode) ([]qa, error) {
	store, err := repertoire.Open(ctx, dbPath, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	var now time.Time
	rec := &recorder{}
	b := bot.New(store, nil, bot.Config{Now: func() time.Time { return now }}, rec)
	ch := repertoire.Channel{Platform: "eval", ID: msgs[0].Ref.Channel.ID}
	if err := store.SetDetectMode(ctx, ch, mode, "eval"); err != nil {
		return nil, err
	}
	for i, m := range msgs {
		if m.Time.After(now) {
			now = m.Time
		}
		if err := b.Handle(ctx, bot.MessagePosted{ID: "ev" + strconv.Itoa(i), Message: m}); err != nil {
			return nil, fmt.Errorf("message %s: %w", m.Ref.ID, err)
		}
	}
	var out []qa
	for i := range rec.posts {
		d, err := store.DetectionAbout(ctx, ch, "post"+strconv.Itoa(i+1))
		if err != nil {
			return nil, fmt.Errorf("suggestion without a detection: %w", err)
		}
		out = append(out, qa{d.QuestionID, d.AnswerID})
	}
	if mode == repertoire.DetectAuto {
		entries, err := store.Entries(ctx, repertoire.ListParams{Limit: 1 << 20})
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, qa{e.QuestionID, e.SourceID})
		}
	}
	return out, nil
}

// readLiveChat reads one channel: messages in time order and the dialogs
// people separated with lines of dashes (each in file order). The set's placeholders for code
// and links become the markup they stand for.
func readLiveChat(path string) ([]bot.Message, []dialog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	channel := strings.TrimSuffix(filepath.Base(path), ".txt")
	var (
		msgs []bot.Message
		dls  []dialog
		cur  dialog
		last time.Time
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 0; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if dialogBreak.MatchString(line) {
			if len(cur.msgs) > 0 {
				dls = append(dls, cur)
			}
			cur = dialog{}
			continue
		}
		m := chatLine.FindStringSubmatch(line)
		if m == nil {
			continue // "// Part n" notes and blank lines
		}
		at := last
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, m[1]); err == nil {
				at = t
				break
			}
		}
		last = at
		nick := m[2]
		cur.msgs = append(cur.msgs, len(msgs))
		msgs = append(msgs, bot.Message{
			Ref:    bot.MessageRef{Channel: bot.ChannelRef{Platform: "eval", ID: channel}, ID: channel + "-" + strconv.Itoa(n)},
			Author: bot.User{ID: nick, Name: nick}, Text: codeHolder.Replace(m[3]), Time: at, ChannelName: channel,
		})
	}
	if len(cur.msgs) > 0 {
		dls = append(dls, cur)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	// The file groups messages by dialog; the channel saw them in time
	// order, dialogs interleaved. Replay them as the channel saw them.
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return msgs[order[a]].Time.Before(msgs[order[b]].Time) })
	pos := make([]int, len(msgs))
	sorted := make([]bot.Message, len(msgs))
	for k, i := range order {
		sorted[k], pos[i] = msgs[i], k
	}
	for d := range dls {
		for k, i := range dls[d].msgs {
			dls[d].msgs[k] = pos[i]
		}
	}
	return sorted, dls, nil
}
