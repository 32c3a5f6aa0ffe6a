// Package adaptertest is the conformance suite every chat adapter passes:
// the platform-neutral scenarios (capture by reaction and by mention,
// recall within what the asker may see, votes and per-entry feedback, edits
// and deletes of a source, leaving a workspace, the mass-mention guard)
// written once and run over each adapter through a World, the adapter's
// harness: its real client against its loopback platform, the real core
// and a real store on a temp file.
//
// It lives beside the core (it reads the store to check what a scenario
// left there; adapters may not import the store) and imports no chat SDK.
package adaptertest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// Members of every World. A harness maps each name to its platform's ID.
const (
	Alice = "alice" // asks questions
	Nelly = "nelly" // answers them
	Carol = "carol" // saves
	Dave  = "dave"  // asks the bot
	Erin  = "erin"  // presses buttons
)

// Emoji the scenarios react with.
var (
	Bulb  = bot.Emoji{Unicode: "💡", Shortcode: "bulb"}
	Check = bot.Emoji{Unicode: "✅", Shortcode: "white_check_mark"}
	Thumb = bot.Emoji{Unicode: "👍", Shortcode: "+1"}
)

// Sent is a message the bot posted, as members read it.
type Sent struct {
	ID      string
	Channel string
	ReplyTo string // the message it answers (its thread), or ""
	Text    string // everything a member reads, in the platform's markup
	Buttons []Button
}

// Button is one button of a Sent message (a shell command standing for one).
type Button struct {
	Entry   int    // the entry it stands beside, 1-based
	Value   string // the value a press sends
	Pressed bool   // the message shows it pressed
}

// World is one adapter's harness: its loopback platform, the real adapter,
// the real core and store. Every action returns once the platform delivered
// it and the core applied what it caused (Press: once the platform has its
// acknowledgement; the core may refuse it). Channel and message IDs are the
// platform's. A harness fails the test itself when the platform does.
type World interface {
	Store() repertoire.Store
	Platform() string
	Space() string   // the workspace, guild or shell space of the channels
	Public() string  // a channel everyone sees
	Private() string // a private channel all the members are in
	UserID(name string) string

	// Post posts text as a member; thread is the message it replies to.
	Post(who, channel, text, thread string) string
	// Ask addresses the bot with text (a leading mention).
	Ask(who, channel, text, thread string) string
	React(who, channel, msg string, e bot.Emoji, add bool)
	// Edit and Delete act as the message's author.
	Edit(channel, msg, text string)
	Delete(channel, msg string)
	// Press presses the button with this value on the bot's message, or,
	// when the value is on none of its buttons, sends it as a press as far
	// as the platform lets a member.
	Press(who string, on Sent, value string)
	// Sent is what the bot posted so far, oldest first, buttons as shown now.
	Sent() []Sent
	// BotReactions are the emoji the bot put on a message.
	BotReactions(channel, msg string) []string
	// Leave removes the bot from the space (uninstall, kicked from the
	// guild); false when the platform has no such thing.
	Leave() bool
	// Restart stops the bot and starts it again on the same store, against
	// the same platform (a new process); false when the platform does not
	// outlive the bot (the shell).
	Restart() bool
	// MassMentions are the platform's forms of a crowd ping, as typed.
	MassMentions() []string
	// LiveMention returns a mention in s that would notify someone, or "".
	LiveMention(s Sent) string
}

// Run runs every scenario over worlds made by start, in parallel: each
// scenario gets its own World (its own loopback platform and store file).
func Run(t *testing.T, start func(t *testing.T) World) {
	for _, sc := range []struct {
		name string
		run  func(*testing.T, World)
	}{
		{"CaptureByReaction", captureByReaction},
		{"CaptureByMention", captureByMention},
		{"RecallWithinWhatTheAskerSees", recall},
		{"PerEntryFeedback", feedback},
		{"PressedStateSurvivesRestart", pressAfterRestart},
		{"EditAndDelete", editAndDelete},
		{"Leave", leave},
		{"MassMentionGuard", massMention},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, start(t))
		})
	}
}

// Await polls cond until it holds, failing the test after 10 s.
func Await(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// Applied records the events the core applied, for harnesses to wait on:
// put Wrap between the core and whatever calls it.
type Applied struct {
	mu      sync.Mutex
	events  []bot.Event
	changed chan struct{}
}

// NewApplied returns an empty record.
func NewApplied() *Applied { return &Applied{changed: make(chan struct{})} }

// Wrap returns a Handler that records each event next applied (error or not).
func (a *Applied) Wrap(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		err := next.Handle(ctx, ev)
		a.mu.Lock()
		a.events = append(a.events, ev)
		close(a.changed)
		a.changed = make(chan struct{})
		a.mu.Unlock()
		return err
	})
}

// After runs do, then waits until one more event matching match than
// before has been applied, failing the test after 10 s.
func (a *Applied) After(t testing.TB, what string, match func(bot.Event) bool, do func()) {
	t.Helper()
	before := a.count(match)
	do()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		a.mu.Lock()
		ch := a.changed
		a.mu.Unlock()
		if a.count(match) > before {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("the core did not apply %s within 10 s", what)
		}
	}
}

func (a *Applied) count(match func(bot.Event) bool) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, ev := range a.events {
		if match(ev) {
			n++
		}
	}
	return n
}

// entry returns the entry saved from msg, if any.
func entry(t testing.TB, w World, channel, msg string) (repertoire.Entry, bool) {
	t.Helper()
	e, err := w.Store().EntryBySource(context.Background(), repertoire.Source{Platform: w.Platform(), Space: w.Space(), Channel: channel, Message: msg})
	if errors.Is(err, repertoire.ErrNotFound) {
		return repertoire.Entry{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return e, true
}

func mustEntry(t testing.TB, w World, channel, msg string) repertoire.Entry {
	t.Helper()
	e, ok := entry(t, w, channel, msg)
	if !ok {
		t.Fatalf("no entry for message %s in %s", msg, channel)
	}
	return e
}

// capture posts a question and a reply answering it, and Carol saves the
// reply with 💡.
func capture(t testing.TB, w World, channel, question, answer string) (q, a string) {
	t.Helper()
	q = w.Post(Alice, channel, question, "")
	a = w.Post(Nelly, channel, answer, q)
	w.React(Carol, channel, a, Bulb, true)
	mustEntry(t, w, channel, a)
	return q, a
}

// answerTo returns the bot's message answering msg: replying to it, or in
// the thread it is in (thread, when not ""). It fails unless there is one.
func answerTo(t testing.TB, w World, msg string, thread ...string) Sent {
	t.Helper()
	var found []Sent
	for _, s := range w.Sent() {
		if s.ReplyTo == msg || len(thread) > 0 && s.ReplyTo == thread[0] {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d answers to message %s, want 1; the bot sent %+v", len(found), msg, w.Sent())
	}
	return found[0]
}

func captureByReaction(t *testing.T, w World) {
	q, a := capture(t, w, w.Public(), "How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	e := mustEntry(t, w, w.Public(), a)
	if e.Author.ID != w.UserID(Nelly) || len(e.Savers) != 1 || e.Savers[0].ID != w.UserID(Carol) || e.Kind != repertoire.Tip ||
		e.QuestionID != q || !strings.Contains(e.Question, "rotate the TLS certificate") || e.Channel.Private || e.Votes != 1 {
		t.Errorf("entry after 💡: %+v", e)
	}
	if e.Permalink == "" {
		t.Error("no permalink")
	}
	if got := w.BotReactions(w.Public(), a); len(got) != 1 || got[0] != "📚" {
		t.Errorf("the bot acknowledged the save with %q, want 📚 alone", got)
	}

	// Another member's capture emoji is a vote, not a second entry.
	w.React(Dave, w.Public(), a, Bulb, true)
	if e := mustEntry(t, w, w.Public(), a); e.Votes != 2 || len(e.Savers) != 1 {
		t.Errorf("after Dave's 💡: votes %d, savers %+v", e.Votes, e.Savers)
	}
	if got := w.BotReactions(w.Public(), a); len(got) != 1 {
		t.Errorf("the bot acknowledged again: %q", got)
	}

	// ✅ saves a solution; taking the last save back undoes it.
	q2 := w.Post(Alice, w.Public(), "Why does the build fail on arm64?", "")
	a2 := w.Post(Nelly, w.Public(), "Pin the base image to a multi-arch digest", q2)
	w.React(Carol, w.Public(), a2, Check, true)
	if e := mustEntry(t, w, w.Public(), a2); e.Kind != repertoire.Solution {
		t.Errorf("✅ saved a %s", e.Kind)
	}
	w.React(Carol, w.Public(), a2, Check, false)
	if _, ok := entry(t, w, w.Public(), a2); ok {
		t.Error("taking the only ✅ back kept the entry")
	}

	// In a private channel the entry is private.
	_, pa := capture(t, w, w.Private(), "What's the VPN pre-shared key policy?", "Rotate the VPN pre-shared key quarterly, in the vault")
	if e := mustEntry(t, w, w.Private(), pa); !e.Channel.Private {
		t.Error("an entry from a private channel is public")
	}
}

func captureByMention(t *testing.T, w World) {
	q := w.Post(Alice, w.Public(), "How do I rotate the TLS certificate?", "")
	a := w.Post(Nelly, w.Public(), "Run certbot renew, then reload nginx", q)
	ask := w.Ask(Dave, w.Public(), "save #nginx", a)
	e := mustEntry(t, w, w.Public(), a)
	if e.Author.ID != w.UserID(Nelly) || len(e.Savers) != 1 || e.Savers[0].ID != w.UserID(Dave) || e.QuestionID != q {
		t.Errorf("entry saved by mention: %+v", e)
	}
	tagged := false
	for _, tag := range e.Tags {
		tagged = tagged || tag == "nginx"
	}
	if !tagged {
		t.Errorf("tags %q, want nginx among them", e.Tags)
	}
	if got := answerTo(t, w, ask, q); !strings.Contains(got.Text, "Saved") || got.Channel != w.Public() {
		t.Errorf("confirmation: %+v", got)
	}
}

func recall(t *testing.T, w World) {
	_, a := capture(t, w, w.Public(), "How do I rotate the TLS certificate?", "Run certbot renew, then reload nginx #tls")
	_, pa := capture(t, w, w.Private(), "What's the VPN pre-shared key policy?", "Rotate the VPN pre-shared key quarterly, in the vault")
	e := mustEntry(t, w, w.Public(), a)

	ask := w.Ask(Dave, w.Public(), "how do we renew certificates?", "")
	got := answerTo(t, w, ask)
	if got.Channel != w.Public() || !strings.Contains(got.Text, "certbot") || !strings.Contains(got.Text, e.Permalink) {
		t.Errorf("the answer should quote the entry and link to it (%s):\n%s", e.Permalink, got.Text)
	}
	if len(got.Buttons) != 2 || got.Buttons[0].Entry != 1 {
		t.Errorf("one entry, two buttons beside it: %+v", got.Buttons)
	}

	// A private channel's entry answers there, and nowhere else.
	ask = w.Ask(Dave, w.Public(), "vpn pre-shared key", "")
	if got := answerTo(t, w, ask); strings.Contains(got.Text, "quarterly") {
		t.Errorf("a private entry was shown in a public channel:\n%s", got.Text)
	}
	ask = w.Ask(Dave, w.Private(), "vpn pre-shared key", "")
	if got := answerTo(t, w, ask); !strings.Contains(got.Text, "quarterly") {
		t.Errorf("a private entry did not answer in its own channel:\n%s", got.Text)
	}
	_ = pa
}

func feedback(t *testing.T, w World) {
	ctx := context.Background()
	for _, text := range []string{
		"Deploy tip: run make deploy from the release branch",
		"Deploy tip: the deploy needs the VPN to reach the cluster",
		"Deploy tip: a failed deploy rolls back with make rollback",
	} {
		m := w.Post(Nelly, w.Public(), text, "")
		w.React(Carol, w.Public(), m, Bulb, true)
		mustEntry(t, w, w.Public(), m) // each tip is saved before anyone asks
	}
	answer := answerTo(t, w, w.Ask(Dave, w.Public(), "how do I deploy?", ""))
	shown := map[int64]int{}
	values := map[[2]int]string{} // entry number, 0 helped / 1 not it → value
	for _, b := range answer.Buttons {
		id, helpful, err := bot.ParseFeedback(b.Value)
		if err != nil {
			t.Fatalf("button %+v: %v", b, err)
		}
		shown[id] = b.Entry
		k := 1
		if helpful {
			k = 0
		}
		values[[2]int{b.Entry, k}] = b.Value
		if b.Pressed {
			t.Errorf("a button shows pressed before anyone pressed it: %+v", b)
		}
	}
	if len(answer.Buttons) != 6 || len(shown) != 3 {
		t.Fatalf("want two buttons beside each of three entries: %+v\n%s", answer.Buttons, answer.Text)
	}
	// byNumber: entry IDs in the order the answer shows them.
	byNumber := make([]int64, 3)
	for id, n := range shown {
		byNumber[n-1] = id
	}
	counts := func() [][2]int {
		var out [][2]int
		for _, id := range byNumber {
			e, err := w.Store().Entry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, [2]int{e.Helpful, e.Unhelpful})
		}
		return out
	}
	await := func(what string, want ...[2]int) {
		t.Helper()
		Await(t, what, func() bool {
			got := counts()
			return got[0] == want[0] && got[1] == want[1] && got[2] == want[2]
		})
	}
	second := values[[2]int{2, 0}]
	w.Press(Erin, answer, second)
	await("This helped on the second entry, for it alone", [2]int{}, [2]int{1, 0}, [2]int{})
	Await(t, "the answer showing the press", func() bool {
		for _, s := range w.Sent() {
			if s.ID == answer.ID {
				for _, b := range s.Buttons {
					if b.Pressed != (b.Value == second) {
						return false
					}
				}
				return true
			}
		}
		return false
	})
	w.Press(Erin, answer, second) // again: once per member
	w.Press(Carol, answer, second)
	w.Press(Carol, answer, values[[2]int{3, 1}])
	await("Carol's presses", [2]int{}, [2]int{2, 0}, [2]int{0, 1})

	// Refused, changing nothing: a value the bot never sent, and a real
	// entry this answer did not show. A later press proves they were seen.
	other := w.Post(Nelly, w.Public(), "The coffee machine is on floor 2", "")
	w.React(Carol, w.Public(), other, Bulb, true)
	unrelated := mustEntry(t, w, w.Public(), other)
	w.Press(Dave, answer, "helped:1; DROP TABLE entries")
	w.Press(Dave, answer, "helped:"+strconv.FormatInt(unrelated.ID, 10))
	w.Press(Dave, answer, values[[2]int{1, 0}])
	await("Dave's press after the refused ones", [2]int{1, 0}, [2]int{2, 0}, [2]int{0, 1})
	if e, _ := w.Store().Entry(ctx, unrelated.ID); e.Helpful != 0 {
		t.Errorf("a press for an entry the answer did not show counted: %+v", e)
	}

	// 👍 on the answer counts for its first entry only.
	w.React(Alice, w.Public(), answer.ID, Thumb, true)
	await("👍 on the answer", [2]int{2, 0}, [2]int{2, 0}, [2]int{0, 1})

	// Ranking uses it: asked again, the third (found "not it") comes last.
	again := answerTo(t, w, w.Ask(Alice, w.Public(), "how do I deploy?", ""))
	last := 0
	for _, b := range again.Buttons {
		if id, _, _ := bot.ParseFeedback(b.Value); id == byNumber[2] {
			last = b.Entry
		}
	}
	if last != 3 {
		t.Errorf("the entry found \"not it\" is shown as number %d, want 3:\n%s", last, again.Text)
	}
	// So does the digest.
	now := time.Now()
	data, err := w.Store().DigestData(ctx, repertoire.Channel{Platform: w.Platform(), Space: w.Space(), ID: w.Public()},
		now.Add(-time.Hour), now.Add(time.Hour), repertoire.DigestLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if digest := bot.ComposeDigest(data, time.UTC).Doc().Text(); strings.Count(digest, "👍 2 found it helpful") != 2 {
		t.Errorf("the digest should show the two entries 2 members found helpful:\n%s", digest)
	}
}

// pressAfterRestart: an answer's buttons show presses made after the bot
// restarted, and keep showing the ones made before.
func pressAfterRestart(t *testing.T, w World) {
	for _, text := range []string{
		"Deploy tip: run make deploy from the release branch",
		"Deploy tip: the deploy needs the VPN to reach the cluster",
		"Deploy tip: a failed deploy rolls back with make rollback",
	} {
		m := w.Post(Nelly, w.Public(), text, "")
		w.React(Carol, w.Public(), m, Bulb, true)
	}
	answer := answerTo(t, w, w.Ask(Dave, w.Public(), "how do I deploy?", ""))
	if len(answer.Buttons) != 6 {
		t.Fatalf("want two buttons beside each of three entries: %+v", answer.Buttons)
	}
	if !w.Restart() {
		t.Skip("the platform does not outlive the bot")
	}
	value := func(entry int, helped bool) string {
		for _, b := range answer.Buttons {
			if _, h, _ := bot.ParseFeedback(b.Value); b.Entry == entry && h == helped {
				return b.Value
			}
		}
		t.Fatalf("no button for entry %d (helped %v)", entry, helped)
		return ""
	}
	shows := func(what string, pressed ...string) {
		t.Helper()
		Await(t, what, func() bool {
			for _, s := range w.Sent() {
				if s.ID != answer.ID {
					continue
				}
				for _, b := range s.Buttons {
					want := false
					for _, p := range pressed {
						want = want || b.Value == p
					}
					if b.Pressed != want {
						return false
					}
				}
				return len(s.Buttons) == 6
			}
			return false
		})
	}
	second, third := value(2, true), value(3, false)
	w.Press(Erin, answer, second)
	shows("This helped on the second entry shown pressed after a restart", second)
	w.Restart()
	w.Press(Carol, answer, third)
	shows("both presses shown after another restart", second, third)
	id, _, _ := bot.ParseFeedback(second)
	if e, err := w.Store().Entry(context.Background(), id); err != nil || e.Helpful != 1 {
		t.Errorf("the press after the restart was not recorded: %+v %v", e, err)
	}
	// The buttons show the verdicts members hold: Erin changing hers
	// releases "This helped", which nobody else pressed.
	w.Restart()
	notIt := value(2, false)
	w.Press(Erin, answer, notIt)
	shows("Erin's changed verdict", notIt, third)
}

func editAndDelete(t *testing.T, w World) {
	_, a := capture(t, w, w.Public(), "How do I rotate the TLS certificate?", "Run certbot renew")
	w.Edit(w.Public(), a, "Run certbot renew --deploy-hook 'systemctl reload nginx'")
	if e := mustEntry(t, w, w.Public(), a); !strings.Contains(e.Answer, "deploy-hook") {
		t.Errorf("answer after the edit: %q", e.Answer)
	}
	hits, err := w.Store().Search(context.Background(), repertoire.SearchParams{Text: "deploy hook",
		From: repertoire.Channel{Platform: w.Platform(), Space: w.Space(), ID: w.Public()}, Limit: 3})
	if err != nil || len(hits) != 1 {
		t.Errorf("search for the edited words: %d hits, %v", len(hits), err)
	}
	w.Delete(w.Public(), a)
	if _, ok := entry(t, w, w.Public(), a); ok {
		t.Error("the entry outlived its deleted source")
	}
	ask := w.Ask(Dave, w.Public(), "how do we renew certificates?", "")
	if got := answerTo(t, w, ask); strings.Contains(got.Text, "certbot") {
		t.Errorf("a deleted entry was recalled:\n%s", got.Text)
	}
}

func leave(t *testing.T, w World) {
	capture(t, w, w.Public(), "How do I rotate the TLS certificate?", "Run certbot renew")
	capture(t, w, w.Private(), "What's the VPN pre-shared key policy?", "Rotate it quarterly")
	if !w.Leave() {
		t.Skip("the platform has no workspace to leave")
	}
	left, err := w.Store().Entries(context.Background(), repertoire.ListParams{Platform: w.Platform()})
	if err != nil || len(left) != 0 {
		t.Fatalf("entries kept after leaving: %d, %v", len(left), err)
	}
}

func massMention(t *testing.T, w World) {
	pings := strings.Join(w.MassMentions(), " and ")
	_, a := capture(t, w, w.Public(), "How do we page the on-call team? "+pings,
		"Write "+pings+" in #ops, then wait <3 minutes: never ping the whole crowd for certbot")
	ask := w.Ask(Dave, w.Public(), "certbot on-call page "+pings, "")
	got := answerTo(t, w, ask)
	if !strings.Contains(got.Text, "certbot") {
		t.Fatalf("the entry was not recalled:\n%s", got.Text)
	}
	if live := w.LiveMention(got); live != "" {
		t.Errorf("the answer carries a live %q:\n%s", live, got.Text)
	}
	_ = a
}
