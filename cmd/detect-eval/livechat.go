package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/learn"
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

// detectGrid are the thresholds cross-validation chooses among, and
// targetPrecision the same-dialog precision the choice must keep on the
// training channels: the most dialogs found at that precision wins.
var detectGrid = []float64{1.5, 2, 2.5, 3, 3.5}

const targetPrecision = 0.90

// channelRun is what one detector did on one channel: per dialog that opens
// with a question, whether it was found; per detection, whether its
// question and answer lie in one dialog.
type channelRun struct {
	found []bool
	same  []bool
}

func (r channelRun) add(o channelRun) channelRun {
	return channelRun{found: append(slices.Clone(r.found), o.found...), same: append(slices.Clone(r.same), o.same...)}
}

func (r channelRun) counts() (found, same int) {
	for _, f := range r.found {
		if f {
			found++
		}
	}
	for _, s := range r.same {
		if s {
			same++
		}
	}
	return found, same
}

func (r channelRun) precision() float64 {
	_, s := r.counts()
	return float64(s) / float64(max(len(r.same), 1))
}

// liveChannel is one channel file read and scored.
type liveChannel struct {
	file     string
	msgs     []bot.Message
	dls      []dialog
	dialogOf map[string]int
}

// judge turns detections into a channelRun against the people's dialogs.
func (c liveChannel) judge(pairs []qa) channelRun {
	var r channelRun
	opened := map[int]bool{}
	for _, p := range pairs {
		dq, okq := c.dialogOf[p.q]
		da, oka := c.dialogOf[p.a]
		same := okq && oka && dq == da
		r.same = append(r.same, same)
		if !same {
			continue
		}
		for k, i := range c.dls[dq].msgs {
			if k < openingLines && c.msgs[i].Ref.ID == p.q {
				opened[dq] = true
			}
		}
	}
	for d, dl := range c.dls {
		if opensWithQuestion(c.msgs, dl) {
			r.found = append(r.found, opened[d])
		}
	}
	return r
}

// evalLiveChat runs the real Bot (real SQLite store, message log, assembly,
// scoring, rate limit) over each LiveChat channel as one unthreaded stream
// of MessagePosted events in time order, once in auto mode (every detection
// saved) and once in suggest mode (what members would see), and compares
// what it found with the people's dialog boundaries. The detection
// threshold is also chosen by leave-one-channel-out cross-validation: each
// channel is judged at the threshold the other channels chose.
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
	channels, err := readLiveChannels(files)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "detect-eval-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var messages, dialogs int
	var auto, sugg, base, gold channelRun
	sweep := make([][]channelRun, len(channels)) // [channel][threshold]
	for ci, c := range channels {
		messages += len(c.msgs)
		dialogs += len(c.dls)
		db := func(tag string) string {
			return filepath.Join(tmp, fmt.Sprintf("%s.%s.db", filepath.Base(c.file), tag))
		}
		a, err := runBot(ctx, db("auto"), c.msgs, repertoire.DetectAuto, bot.DetectThreshold)
		if err != nil {
			return err
		}
		auto = auto.add(c.judge(a))
		sp, err := runBot(ctx, db("suggest"), c.msgs, repertoire.DetectSuggest, bot.DetectThreshold)
		if err != nil {
			return err
		}
		sugg = sugg.add(c.judge(sp))
		base = base.add(c.judge(baselineDetections(c.msgs)))
		for _, dl := range c.dls {
			if !opensWithQuestion(c.msgs, dl) {
				continue
			}
			var conv []bot.Message
			for _, i := range dl.msgs {
				conv = append(conv, c.msgs[i])
			}
			ex := bot.Assess(conv, botName)
			gold.found = append(gold.found, ex.Found && ex.Score >= bot.DetectThreshold)
		}
		if len(channels) < 2 {
			continue
		}
		for ti, t := range detectGrid {
			pairs, err := runBot(ctx, db(fmt.Sprint("t", ti)), c.msgs, repertoire.DetectAuto, t)
			if err != nil {
				return err
			}
			sweep[ci] = append(sweep[ci], c.judge(pairs))
		}
	}
	var cv channelRun
	var chosen []string
	if len(channels) >= 2 {
		for ci := range channels {
			var train []int
			for k := range channels {
				if k != ci {
					train = append(train, k)
				}
			}
			ti := chooseThreshold(sweep, train)
			chosen = append(chosen, fmt.Sprint(detectGrid[ti]))
			cv = cv.add(sweep[ci][ti])
		}
	}
	questionDialogs := len(auto.found)
	per1k := func(n int) string { return fmt.Sprintf("%6.1f", 1000*float64(n)/float64(max(messages, 1))) }
	foundIv := func(r channelRun) string {
		return learn.Bootstrap(len(r.found), 2000, 5, func(idx []int) float64 {
			n := 0.0
			for _, i := range idx {
				if r.found[i] {
					n++
				}
			}
			return n / float64(max(len(idx), 1))
		}).Pct()
	}
	precIv := func(r channelRun) string {
		if len(r.same) == 0 {
			return "  n/a"
		}
		return learn.Bootstrap(len(r.same), 2000, 6, func(idx []int) float64 {
			n := 0.0
			for _, i := range idx {
				if r.same[i] {
					n++
				}
			}
			return n / float64(max(len(idx), 1))
		}).Pct()
	}
	fmt.Fprintf(w, "%d messages, %d dialogs, %d of them open with a question (a '?' in the asker's opening lines)\n",
		messages, dialogs, questionDialogs)
	fmt.Fprintf(w, "%-52s %-24s %-8s %s\n", "", "dialogs found", "per 1k", "within one dialog (precision)")
	row := func(name string, r channelRun, withPrec bool) {
		p := ""
		if withPrec {
			p = precIv(r)
		}
		n := "       "
		if r.same != nil || withPrec {
			n = per1k(len(r.same))
		}
		fmt.Fprintf(w, "  %-50s %-24s %-8s %s\n", name, foundIv(r), n, p)
	}
	if len(channels) >= 2 {
		row(fmt.Sprintf("repertoire, auto, threshold by leave-one-channel-out (chosen: %s)", strings.Join(chosen, ", ")), cv, true)
	}
	row(fmt.Sprintf("repertoire, auto mode, shipped threshold %.2f", bot.DetectThreshold), auto, true)
	row(fmt.Sprintf("repertoire, suggest mode (posts), threshold %.2f", bot.SuggestThreshold), sugg, true)
	row("scorer alone on people's dialogs (assembly by people)", gold, false)
	row("baseline: '?' then another's reply", base, true)
	fmt.Fprintf(w, "  (found: a detection whose question is among a dialog's first %d lines and whose answer is in that dialog;\n", openingLines)
	fmt.Fprintf(w, "   within one dialog: detections whose question and answer people put in the same dialog; 95%% bootstrap intervals)\n")
	return nil
}

// chooseThreshold picks, on the training channels, the threshold that finds
// the most dialogs while keeping targetPrecision; the most precise when none
// does.
func chooseThreshold(sweep [][]channelRun, train []int) int {
	best, bestFound, bestPrec := -1, -1, -1.0
	mostPrecise, mostPrec := 0, -1.0
	for ti := range detectGrid {
		var r channelRun
		for _, c := range train {
			r = r.add(sweep[c][ti])
		}
		f, _ := r.counts()
		p := r.precision()
		if p > mostPrec {
			mostPrecise, mostPrec = ti, p
		}
		if p >= targetPrecision && (f > bestFound || f == bestFound && p > bestPrec) {
			best, bestFound, bestPrec = ti, f, p
		}
	}
	if best < 0 {
		return mostPrecise
	}
	return best
}

// trainDetect chooses the shipped threshold on every channel of the folder.
func trainDetect(ctx context.Context, dir string, w io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	channels, err := readLiveChannels(files)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "detect-train-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sweep := make([][]channelRun, len(channels))
	var all []int
	for ci, c := range channels {
		all = append(all, ci)
		for ti, t := range detectGrid {
			pairs, err := runBot(ctx, filepath.Join(tmp, fmt.Sprintf("%d.%d.db", ci, ti)), c.msgs, repertoire.DetectAuto, t)
			if err != nil {
				return err
			}
			sweep[ci] = append(sweep[ci], c.judge(pairs))
		}
	}
	ti := chooseThreshold(sweep, all)
	fmt.Fprintf(w, "detection threshold chosen on %d channels of %s: %g (set bot.DetectThreshold to it)\n", len(channels), dir, detectGrid[ti])
	return nil
}

func readLiveChannels(files []string) ([]liveChannel, error) {
	var out []liveChannel
	for _, file := range files {
		msgs, dls, err := readLiveChat(file)
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			continue
		}
		c := liveChannel{file: file, msgs: msgs, dls: dls, dialogOf: map[string]int{}}
		for d, dl := range dls {
			for _, i := range dl.msgs {
				c.dialogOf[msgs[i].Ref.ID] = d
			}
		}
		out = append(out, c)
	}
	return out, nil
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
func runBot(ctx context.Context, dbPath string, msgs []bot.Message, mode repertoire.DetectMode, threshold float64) ([]qa, error) {
	store, err := sqlite.Open(ctx, dbPath, nil)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	var now time.Time
	rec := &recorder{}
	b := bot.New(store, nil, bot.Config{Now: func() time.Time { return now }, DetectThreshold: threshold}, rec)
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
