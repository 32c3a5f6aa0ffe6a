package shell_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/bot/adaptertest"
)

// TestConformance runs the adapter conformance suite over the shell, typed
// line by line into a running shell as a member would.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) adaptertest.World { return startShell(t) })
}

// printed keeps each write of the shell (one printed record) apart.
type printed struct {
	mu      sync.Mutex
	chunks  []string
	changed chan struct{}
}

func (p *printed) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chunks = append(p.chunks, string(b))
	close(p.changed)
	p.changed = make(chan struct{})
	return len(b), nil
}

func (p *printed) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.chunks...)
}

// recorder is the shell as the bot's Platform, keeping the buttons of each
// message the bot posts (the shell prints commands, not their values).
type recorder struct {
	*shell.Shell
	mu      sync.Mutex
	buttons map[string][]adaptertest.Button // message ID → its buttons
}

func (r *recorder) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	ref, err := r.Shell.Post(ctx, out)
	if err != nil {
		return ref, err
	}
	var bs []adaptertest.Button
	for _, b := range out.Doc.Blocks {
		for _, e := range b.Entries {
			for _, a := range e.Actions {
				bs = append(bs, adaptertest.Button{Entry: e.N, Value: a.Value})
			}
		}
	}
	r.mu.Lock()
	r.buttons[ref.ID] = bs
	r.mu.Unlock()
	return ref, nil
}

type shellWorld struct {
	t       *testing.T
	store   *sqlite.Store
	rec     *recorder
	out     *printed
	in      *io.PipeWriter
	session string
	mu      sync.Mutex
	authors map[string]string // message ID → author name
}

var (
	memberLine = regexp.MustCompile(`^\[(\d+)\] #\S+(?: ↳\d+)? (\w+): `)
	botLine    = regexp.MustCompile(`(?s)^\[(\d+)\] #(\S+)(?: ↳(\d+))? repertoire: (.*)\n$`)
	pressLine  = regexp.MustCompile(`^\w+ pressed (/helped|/notit) (\d+) on \[(\d+)\] ✓`)
)

func startShell(t *testing.T) *shellWorld {
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shell.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	w := &shellWorld{t: t, store: store, out: &printed{changed: make(chan struct{})}, in: pw, authors: map[string]string{}}
	var once sync.Once
	clock := func() time.Time {
		now := time.Now()
		// The shell names its session after the first reading of its clock.
		once.Do(func() { w.session = strconv.FormatInt(now.UnixNano(), 36) })
		return now
	}
	w.rec = &recorder{Shell: shell.New(shell.Options{In: pr, Out: w.out, Now: clock}), buttons: map[string][]adaptertest.Button{}}
	core := bot.New(store, nil, bot.Config{}, w.rec)
	done := make(chan error, 1)
	go func() { done <- w.rec.Run(ctx, core) }()
	t.Cleanup(func() {
		pw.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		cancel()
		store.Close()
	})
	for _, who := range []string{adaptertest.Alice, adaptertest.Nelly, adaptertest.Carol, adaptertest.Dave, adaptertest.Erin} {
		w.do("/as "+who, "/private staff") // the private channel's members
	}
	return w
}

// do types lines and returns what the shell printed for them, once it has
// handled them all (a /where after them has printed).
func (w *shellWorld) do(lines ...string) []string {
	w.t.Helper()
	from := len(w.out.all())
	if _, err := io.WriteString(w.in, strings.Join(append(lines, "/where"), "\n")+"\n"); err != nil {
		w.t.Fatal(err)
	}
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		w.out.mu.Lock()
		chunks, ch := w.out.chunks[from:], w.out.changed
		w.out.mu.Unlock()
		for i, c := range chunks {
			if strings.HasPrefix(c, "you are ") {
				return append([]string(nil), chunks[:i]...)
			}
		}
		select {
		case <-ch:
		case <-deadline.C:
			w.t.Fatalf("the shell did not finish %q", lines)
		}
	}
}

func (w *shellWorld) Store() repertoire.Store { return w.store }
func (w *shellWorld) Platform() string        { return shell.Name }
func (w *shellWorld) Space() string           { return "local" }
func (w *shellWorld) Public() string          { return "general" }
func (w *shellWorld) Private() string         { return "staff" }
func (w *shellWorld) UserID(name string) string {
	return "U-" + name
}

func (w *shellWorld) number(id string) string {
	n, ok := strings.CutPrefix(id, w.session+"-")
	if !ok {
		w.t.Fatalf("message %q is not of this shell session (%s)", id, w.session)
	}
	return n
}

func (w *shellWorld) id(n string) string { return w.session + "-" + n }

func (w *shellWorld) goTo(who, channel string) []string {
	cmd := "/channel " + channel
	if channel == w.Private() {
		cmd = "/private " + channel
	}
	return []string{"/as " + who, cmd}
}

func (w *shellWorld) Post(who, channel, text, thread string) string {
	w.t.Helper()
	line := text
	if thread != "" {
		line = "/reply " + w.number(thread) + " " + text
	}
	for _, c := range w.do(append(w.goTo(who, channel), line)...) {
		if m := memberLine.FindStringSubmatch(c); m != nil && m[2] == who {
			id := w.id(m[1])
			w.mu.Lock()
			w.authors[id] = who
			w.mu.Unlock()
			return id
		}
	}
	w.t.Fatalf("the shell did not print %s's message %q", who, text)
	return ""
}

func (w *shellWorld) Ask(who, channel, text, thread string) string {
	return w.Post(who, channel, "@repertoire "+text, thread)
}

func (w *shellWorld) React(who, channel, msg string, e bot.Emoji, add bool) {
	cmd := "/react "
	if !add {
		cmd = "/unreact "
	}
	w.do(append(w.goTo(who, channel), cmd+w.number(msg)+" "+e.Unicode)...)
}

func (w *shellWorld) author(msg string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.authors[msg]
}

func (w *shellWorld) Edit(channel, msg, text string) {
	w.do(append(w.goTo(w.author(msg), channel), "/edit "+w.number(msg)+" "+text)...)
}

func (w *shellWorld) Delete(channel, msg string) {
	w.do(append(w.goTo(w.author(msg), channel), "/delete "+w.number(msg))...)
}

// Press types the command shown beside the button; a value on no button
// gets the command for an entry the answer does not have, which the shell
// refuses as a platform would.
func (w *shellWorld) Press(who string, on adaptertest.Sent, value string) {
	cmd, entry := "/helped", 99
	if _, helpful, err := bot.ParseFeedback(value); err == nil && !helpful {
		cmd = "/notit"
	}
	for _, b := range on.Buttons {
		if b.Value == value {
			entry = b.Entry
		}
	}
	w.do(append(w.goTo(who, on.Channel), fmt.Sprintf("%s %d %s", cmd, entry, w.number(on.ID)))...)
}

func (w *shellWorld) Sent() []adaptertest.Sent {
	chunks := w.out.all()
	pressed := map[string]bool{} // message number, command, entry
	for _, c := range chunks {
		if m := pressLine.FindStringSubmatch(c); m != nil {
			pressed[m[3]+" "+m[1]+" "+m[2]] = true
		}
	}
	var out []adaptertest.Sent
	for _, c := range chunks {
		m := botLine.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		s := adaptertest.Sent{ID: w.id(m[1]), Channel: m[2], Text: m[4]}
		if m[3] != "" {
			s.ReplyTo = w.id(m[3])
		}
		w.rec.mu.Lock()
		recorded := w.rec.buttons[s.ID]
		w.rec.mu.Unlock()
		for _, b := range recorded {
			_, helpful, _ := bot.ParseFeedback(b.Value)
			cmd := "/notit"
			if helpful {
				cmd = "/helped"
			}
			shown := fmt.Sprintf("%s %d", cmd, b.Entry)
			if !strings.Contains(s.Text, shown) {
				continue // not printed: not a button a member has
			}
			b.Pressed = pressed[m[1]+" "+shown]
			s.Buttons = append(s.Buttons, b)
		}
		out = append(out, s)
	}
	return out
}

func (w *shellWorld) BotReactions(channel, msg string) []string {
	var out []string
	suffix := " to [" + w.number(msg) + "]\n"
	for _, c := range w.out.all() {
		if e, ok := strings.CutPrefix(c, "repertoire reacted "); ok && strings.HasSuffix(e, suffix) {
			out = append(out, strings.TrimSuffix(e, suffix))
		}
	}
	return out
}

func (w *shellWorld) Leave() bool { return false }
func (w *shellWorld) MassMentions() []string {
	return []string{"@everyone", "@here", "@channel", "<!channel>"}
}
func (w *shellWorld) LiveMention(s adaptertest.Sent) string {
	return shellLive.FindString(s.Text)
}

// Restart: the shell's conversation lives in the process; it ends with it.
func (w *shellWorld) Restart() bool { return false }
