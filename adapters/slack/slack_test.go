package slack_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/slack"
	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// env is the real adapter and the real core on a real SQLite file, against a loopback Slack.
type env struct {
	t       testing.TB
	fake    *slacktest.Server
	a       *slack.Adapter
	store   *sqlite.Store
	applied chan bot.Event
	got     map[string]bot.Event
	count   map[string]int // times each delivery reached the core
	events  http.Handler
	socket  bool // events arrive over Socket Mode (else at /slack/events)
	inbox   bool
	db      string
	stop    func() // stops the bot; nil when stopped
	runs    int    // times the bot was started
}

func start(t testing.TB, socket bool) *env { return startWith(t, socket, false) }

// startWith starts the env; with inbox the adapter acks only what the
// store's inbox committed, and the inbox applies it.
func startWith(t testing.TB, socket, inbox bool) *env {
	t.Helper()
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	fake.AddChannel("G1", true)
	fake.AddChannel("D1", true)
	e := &env{t: t, socket: socket, inbox: inbox, fake: fake, db: filepath.Join(t.TempDir(), "test.db"),
		applied: make(chan bot.Event, 1000), got: map[string]bot.Event{}, count: map[string]int{}}
	e.run()
	t.Cleanup(func() {
		if e.stop != nil {
			e.stop()
		}
	})
	return e
}

// restart stops the bot and starts a new one (a new process) on the same
// database, against the same Slack.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.run()
}

// run starts the store, the adapter and the core as the program does.
func (e *env) run() {
	t := e.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, e.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := slack.Options{BotToken: e.fake.BotToken, APIURL: e.fake.URL, PostInterval: 10 * time.Millisecond,
		ReadInterval: 10 * time.Millisecond, PingInterval: time.Second}
	if e.socket {
		o.AppToken = e.fake.AppToken
	} else {
		o.SigningSecret = secret
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var b *bot.Bot
	e.store = store
	h := bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
		err := b.Handle(ctx, ev)
		e.applied <- ev
		return err
	})
	var in *bot.Inbox
	if e.inbox {
		in = bot.NewInbox(store, h, log, bot.InboxOptions{})
		o.Inbox = in
	}
	a, err := slack.New(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	e.a, e.events = a, a.EventsHandler()
	b = bot.New(store, log, bot.Config{}, a)
	running := 1
	if in != nil {
		running = 2
	}
	done := make(chan error, running)
	if in != nil {
		in.Register(a)
		go func() { done <- in.Run(ctx) }()
	}
	var d *bot.Dispatcher
	if in == nil {
		// As the program runs it: the adapter acks, four workers apply.
		d = bot.NewDispatcher(h, log, 4, 64)
	}
	go func() {
		if d != nil {
			done <- a.Run(ctx, d)
			return
		}
		done <- a.Run(ctx, h)
	}()
	e.stop = func() {
		e.stop = nil
		cancel()
		for range running {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return")
			}
		}
		if in != nil {
			in.Close()
		}
		if d != nil {
			d.Close()
		}
		store.Close()
	}
	e.runs++
	if e.socket {
		if err := e.fake.WaitConnected(e.runs, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

type tlog struct{ t testing.TB }

func (l *tlog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// wait returns the applied event with this delivery ID, failing after 5s.
// Events applied meanwhile are kept for later waits.
func (e *env) wait(id string) bot.Event {
	e.t.Helper()
	if ev, ok := e.got[id]; ok {
		return ev
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-e.applied:
			e.got[ev.Delivery()] = ev
			e.count[ev.Delivery()]++
			if ev.Delivery() == id {
				return ev
			}
		case <-deadline:
			e.t.Fatalf("event %s not applied within 5s", id)
			return nil
		}
	}
}

// send delivers an inner event over Socket Mode and waits until it is applied.
func (e *env) send(inner map[string]any) (eventID, envelopeID string) {
	e.t.Helper()
	eventID, envelopeID = e.fake.Event(inner)
	if err := e.fake.WaitAck(envelopeID, 10*time.Second); err != nil {
		e.t.Fatal(err)
	}
	e.wait("slack:" + eventID)
	return eventID, envelopeID
}

// sentinel proves everything delivered before it has been processed: the
// adapter applies in arrival order.
func (e *env) sentinel(post func(inner map[string]any) string) {
	e.t.Helper()
	_, ev := e.fake.Say("C1", "U9", "sentinel", "")
	e.wait("slack:" + post(ev))
}

func (e *env) qa(channel string) (q, a string) {
	q, qev := e.fake.Say(channel, "U1", "How do I rotate the TLS certificate?", "")
	a, aev := e.fake.Say(channel, "U2", "Run certbot renew, then reload nginx #tls", q)
	e.send(qev)
	e.send(aev)
	return q, a
}

func (e *env) entry(channel, ts string) (repertoire.Entry, error) {
	return e.store.EntryBySource(context.Background(), repertoire.Source{Platform: "slack", Space: e.fake.Team, Channel: channel, Message: ts})
}

// TestSocketModeSlackDetails: what Slack adds to capture and recall (the
// conformance suite covers the rest): skin tones on reactions, the
// permalink Slack gives, the thread answered from the event cache, a
// redelivered envelope applied once, no link_names, and the slash command
// answered ephemerally through response_url.
func TestSocketModeSlackDetails(t *testing.T) {
	e := start(t, true)
	_, a := e.qa("C1")
	reactionID, env := e.send(e.fake.React("C1", a, "U3", "bulb::skin-tone-3"))

	got, err := e.entry("C1", a)
	if err != nil {
		t.Fatalf("no entry after 💡 with a skin tone: %v", err)
	}
	if !strings.HasPrefix(got.Permalink, "https://fake.slack.com/archives/C1/p") {
		t.Fatalf("permalink %q", got.Permalink)
	}
	if r := e.fake.Calls("reactions.add"); len(r) != 1 || r[0].Get("name") != "books" || r[0].Get("timestamp") != a {
		t.Fatalf("quiet acknowledgement: %v", r)
	}
	if n := len(e.fake.Calls("conversations.replies")); n != 0 {
		t.Fatalf("cache hit should need no conversations.replies, made %d", n)
	}

	// Slack redelivers the envelope (an ack lost): applied once.
	votes := got.Votes
	e.fake.Redeliver(env)
	e.sentinel(func(ev map[string]any) string { id, _ := e.fake.Event(ev); return id })
	if n := e.count["slack:"+reactionID]; n != 1 {
		t.Fatalf("redelivered reaction reached the core %d times", n)
	}
	got, _ = e.entry("C1", a)
	if got.Votes != votes || len(got.Savers) != 1 || len(e.fake.Calls("reactions.add")) != 1 {
		t.Fatalf("redelivery applied twice: votes %d savers %d", got.Votes, len(got.Savers))
	}

	// Recall by mention: "by Member U2" (the fake has no profiles), no link_names.
	_, mev := e.fake.Mention("C1", "U4", "how do we rotate certificates?", "")
	e.send(mev)
	if posts := e.fake.BotMessages("C1"); len(posts) != 1 || !strings.Contains(posts[0].Text, "by Member U2") {
		t.Fatalf("recall reply: %+v", posts)
	}
	for _, c := range e.fake.Calls("chat.postMessage") {
		if c.Has("link_names") {
			t.Fatalf("link_names sent: %v", c)
		}
	}

	// Recall by slash command: answered ephemerally through response_url.
	cmd, resp := e.fake.Slash("C1", "general", "U5", "ask rotating a certificate")
	body := mustJSON(t, cmd)
	envID := e.fake.Envelope("slash_commands", body)
	if err := e.fake.WaitAck(envID, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	ev := e.wait("slack:cmd:" + cmd["trigger_id"].(string))
	if m := ev.(bot.Mentioned); m.Via != bot.ViaCommand || m.Interaction != resp {
		t.Fatalf("command event: %+v", m)
	}
	rs := e.fake.Responses()
	if len(rs) != 1 || rs[0].Body["response_type"] != "ephemeral" || !strings.Contains(fmt.Sprint(rs[0].Body["text"]), "rotate the TLS certificate") {
		t.Fatalf("ephemeral answer: %+v", rs)
	}
	if n := len(e.fake.BotMessages("C1")); n != 1 {
		t.Fatalf("command answer posted in channel: %d posts", n)
	}
}

func TestReactionOnUnseenMessageFetchesThread(t *testing.T) {
	e := start(t, true)
	q, _ := e.fake.Say("G1", "U1", "Where is the deploy runbook?", "")
	a, _ := e.fake.Say("G1", "U2", "In the wiki under Ops/Deploy", q)
	e.fake.RateLimit("conversations.replies", 1, 1, false)
	e.send(e.fake.React("G1", a, "U3", "bulb"))
	got, err := e.entry("G1", a)
	if err != nil || !got.Channel.Private || got.QuestionID != q {
		t.Fatalf("entry from a private channel: %+v %v", got, err)
	}
	if n := len(e.fake.Calls("conversations.replies")); n != 2 {
		t.Fatalf("conversations.replies calls: %d, want 2 (one 429, one after Retry-After)", n)
	}
}

func TestDMIsPrivateRequest(t *testing.T) {
	e := start(t, true)
	_, ev := e.fake.Say("D1", "U1", "help", "")
	id, _ := e.fake.Event(ev)
	m := e.wait("slack:" + id + ":dm").(bot.Mentioned)
	if m.Via != bot.ViaDM || !m.Message.Private {
		t.Fatalf("DM: %+v", m)
	}
	if posts := e.fake.BotMessages("D1"); len(posts) != 1 || posts[0].ThreadTS != "" {
		t.Fatalf("DM answer: %+v", posts)
	}
}

// TestPostedTextIsEscaped: Slack's three escapes (& < >) in what the bot
// posts, so member text cannot form links or pings (the conformance suite
// checks the mass-mention guard itself).
func TestPostedTextIsEscaped(t *testing.T) {
	e := start(t, true)
	q, _ := e.fake.Say("C1", "U1", "How do we page the on-call team <3?", "")
	a, aev := e.fake.Say("C1", "U2", "Write <https://x.example|here> in #ops & wait <3 minutes", q)
	e.send(aev)
	e.send(e.fake.React("C1", a, "U3", "bulb"))
	_, mev := e.fake.Mention("C1", "U4", "page on-call", "")
	e.send(mev)
	posts := e.fake.BotMessages("C1")
	if len(posts) != 1 {
		t.Fatalf("posts: %+v", posts)
	}
	txt := posts[0].Text
	for _, bad := range []string{"<3", "<https://x.example"} {
		if strings.Contains(txt, bad) {
			t.Fatalf("posted text holds %q: %q", bad, txt)
		}
	}
	if !strings.Contains(txt, "&amp;") || !strings.Contains(txt, "&lt;") {
		t.Fatalf("posted text not escaped: %q", txt)
	}
}

func TestRateLimitedPostIsPostedOnce(t *testing.T) {
	for _, delivered := range []bool{false, true} {
		t.Run(fmt.Sprintf("delivered=%v", delivered), func(t *testing.T) {
			e := start(t, true)
			e.fake.RateLimit("chat.postMessage", 1, 1, delivered)
			_, mev := e.fake.Mention("C1", "U4", "anything about kubernetes?", "")
			e.send(mev)
			if posts := e.fake.BotMessages("C1"); len(posts) != 1 {
				t.Fatalf("bot posted %d messages, want exactly 1: %+v", len(posts), posts)
			}
			want := 2
			if delivered {
				want = 1 // found in the thread after the wait: not posted again
			}
			if n := len(e.fake.Calls("chat.postMessage")); n != want {
				t.Fatalf("chat.postMessage calls: %d, want %d", n, want)
			}
			// The next call (a retry, or the look for the post) came after Retry-After.
			next := e.fake.CallTimes("conversations.replies")
			if !delivered {
				next = e.fake.CallTimes("chat.postMessage")[1:]
			}
			first := e.fake.CallTimes("chat.postMessage")[0]
			if len(next) == 0 || next[0].Sub(first) < time.Second {
				t.Fatalf("Retry-After not honoured: first post %v, next call %v", first, next)
			}
		})
	}
}

func TestSocketModeReconnects(t *testing.T) {
	e := start(t, true)
	step := func(n int, why string, do func()) {
		t.Helper()
		do()
		if err := e.fake.WaitConnected(n, 5*time.Second); err != nil {
			t.Fatalf("%s: %v", why, err)
		}
		_, ev := e.fake.Say("C1", "U1", why, "")
		e.send(ev)
	}
	// An event sent while the socket is down stays unacked and is
	// redelivered (retry_attempt 1) on the new connection: applied once.
	var during, envID string
	step(2, "dropped websocket", func() {
		e.fake.Drop()
		_, ev := e.fake.Say("C1", "U1", "sent during the drop", "")
		during, envID = e.fake.Event(ev)
	})
	if err := e.fake.WaitAck(envID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	e.wait("slack:" + during)
	step(3, "disconnect envelope", func() { e.fake.Disconnect("refresh_requested") })
	step(4, "pings stopped", func() { e.fake.StopPings(true) })
	e.fake.StopPings(false)
	if n := e.count["slack:"+during]; n != 1 {
		t.Fatalf("event sent during the drop reached the core %d times", n)
	}
}

func TestMalformedEnvelopesAreSkipped(t *testing.T) {
	e := start(t, true)
	e.fake.Raw(`{not json`)
	e.fake.Raw(`{"type":"events_api","envelope_id":"bad-1","payload":{"type":"event_callback","event_id":"EvX","event":{"type":"no_such_event"}}}`)
	e.fake.Raw(`{"type":"events_api","envelope_id":"bad-2","payload":{"type":"event_callback","event_id":"EvY","event":"oops"}}`)
	e.fake.Raw(`{"type":"mystery","envelope_id":"bad-3"}`)
	_, ev := e.fake.Say("C1", "U1", "still here", "")
	e.send(ev)
}

// TestPostAfterUninstallIsRefused: once Slack says the app is gone, the
// adapter stops calling it (the conformance suite checks the purge).
func TestPostAfterUninstallIsRefused(t *testing.T) {
	e := start(t, true)
	id, _ := e.fake.Event(e.fake.Uninstalled())
	e.wait("slack:" + id)
	_, err := e.a.Post(context.Background(), bot.Outgoing{Channel: bot.ChannelRef{Platform: "slack", Space: e.fake.Team, ID: "C1"}, Doc: bot.Sentences("hi")})
	if !errors.Is(err, slack.ErrRemoved) {
		t.Fatalf("post after uninstall: %v", err)
	}
	if n := len(e.fake.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("chat.postMessage called %d times after uninstall", n)
	}
}

// post sends a signed Events API request to the adapter's handler.
func (e *env) post(body []byte, h http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.events.ServeHTTP(w, r)
	return w
}

func (e *env) postEvent(inner map[string]any) (eventID string, body []byte) {
	e.t.Helper()
	eventID, body = e.fake.Callback(inner)
	if w := e.post(body, slacktest.Sign(secret, body, time.Now())); w.Code != http.StatusOK {
		e.t.Fatalf("event %s: %d %s", eventID, w.Code, w.Body)
	}
	return eventID, body
}

func TestEventsAPI(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testEventsAPI(t, false) })
	t.Run("inbox", func(t *testing.T) { testEventsAPI(t, true) })
}

func testEventsAPI(t *testing.T, inbox bool) {
	e := startWith(t, false, inbox)
	ch := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	if w := e.post(ch, slacktest.Sign(secret, ch, time.Now())); w.Code != 200 || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %q", w.Code, w.Body)
	}
	q, qev := e.fake.Say("C1", "U1", "How do I rotate the TLS certificate?", "")
	a, aev := e.fake.Say("C1", "U2", "Run certbot renew, then reload nginx", q)
	for _, ev := range []map[string]any{qev, aev} {
		id, _ := e.postEvent(ev)
		e.wait("slack:" + id)
	}
	id, body := e.postEvent(e.fake.React("C1", a, "U3", "bulb"))
	e.wait("slack:" + id)
	first, err := e.entry("C1", a)
	if err != nil || first.Savers[0].ID != "U3" || first.Author.ID != "U2" {
		t.Fatalf("entry over Events API: %+v %v", first, err)
	}
	// Slack retries the same delivery: applied once.
	h := slacktest.Sign(secret, body, time.Now())
	h.Set("X-Slack-Retry-Num", "1")
	h.Set("X-Slack-Retry-Reason", "http_timeout")
	if w := e.post(body, h); w.Code != 200 {
		t.Fatalf("retry: %d", w.Code)
	}
	defer func() {
		if n := e.count["slack:"+id]; n != 1 {
			t.Errorf("retried delivery reached the core %d times", n)
		}
	}()

	// Refused: forged signature, stale timestamp, tampered body. Nothing applied.
	_, forgedBody := e.fake.Callback(e.fake.React("C1", a, "U6", "bulb"))
	stale := slacktest.Sign(secret, forgedBody, time.Now().Add(-6*time.Minute))
	tampered := slacktest.Sign(secret, forgedBody, time.Now())
	for name, c := range map[string]struct {
		body []byte
		h    http.Header
	}{
		"forged":   {forgedBody, slacktest.Sign("not-the-secret", forgedBody, time.Now())},
		"stale":    {forgedBody, stale},
		"tampered": {bytes.Replace(forgedBody, []byte(`"U6"`), []byte(`"U7"`), 1), tampered},
		"unsigned": {forgedBody, http.Header{}},
	} {
		if w := e.post(c.body, c.h); w.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, w.Code)
		}
	}
	// Malformed JSON, correctly signed: refused, and the adapter carries on.
	bad := []byte(`{"type":"event_callback","event":`)
	if w := e.post(bad, slacktest.Sign(secret, bad, time.Now())); w.Code != http.StatusBadRequest {
		t.Errorf("malformed: %d", w.Code)
	}
	big := bytes.Repeat([]byte("x"), 2<<20)
	if w := e.post(big, slacktest.Sign(secret, big, time.Now())); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d", w.Code)
	}
	e.sentinel(func(ev map[string]any) string { id, _ := e.postEvent(ev); return id })
	got, _ := e.entry("C1", a)
	if got.Votes != first.Votes || len(got.Savers) != 1 || len(e.fake.Calls("reactions.add")) != 1 {
		t.Fatalf("refused or retried deliveries were applied: votes %d savers %+v", got.Votes, got.Savers)
	}

	// Recall by mention over HTTP: a threaded reply.
	mts, mev := e.fake.Mention("C1", "U4", "how do we rotate certificates?", "")
	mid, _ := e.postEvent(mev)
	e.wait("slack:" + mid)
	if posts := e.fake.BotMessages("C1"); len(posts) != 1 || posts[0].ThreadTS != mts || !strings.Contains(posts[0].Text, "certificate") {
		t.Fatalf("recall reply over Events API: %+v", posts)
	}

	// Slash command over HTTP (form-encoded, signed), answered ephemerally.
	cmd, _ := e.fake.Slash("C1", "general", "U5", "ask rotate certificate")
	form := make([]string, 0, len(cmd))
	for k, v := range cmd {
		form = append(form, k+"="+urlEscape(fmt.Sprint(v)))
	}
	fb := []byte(strings.Join(form, "&"))
	fh := slacktest.Sign(secret, fb, time.Now())
	fh.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := e.post(fb, fh); w.Code != 200 {
		t.Fatalf("slash command: %d", w.Code)
	}
	e.wait("slack:cmd:" + cmd["trigger_id"].(string))
	if rs := e.fake.Responses(); len(rs) != 1 || rs[0].Body["response_type"] != "ephemeral" {
		t.Fatalf("ephemeral answer: %+v", rs)
	}
}

func TestBadTokensAreClearErrors(t *testing.T) {
	fake := slacktest.New(t)
	ctx := context.Background()
	if _, err := slack.New(ctx, slack.Options{BotToken: "xoxb-wrong", AppToken: fake.AppToken, APIURL: fake.URL}, nil); err == nil ||
		!strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("wrong bot token: %v", err)
	}
	a, err := slack.New(ctx, slack.Options{BotToken: fake.BotToken, AppToken: "xapp-wrong", APIURL: fake.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, bot.HandlerFunc(func(context.Context, bot.Event) error { return nil })) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "app token refused") {
			t.Fatalf("wrong app token: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept going with a refused app token")
	}
}

// Events acked but not yet applied when the bot stops are applied before Run
// returns: Slack will not send them again.
func TestStopAppliesAckedEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	a, err := slack.New(ctx, slack.Options{BotToken: fake.BotToken, AppToken: fake.AppToken, APIURL: fake.URL,
		PostInterval: 10 * time.Millisecond, ReadInterval: 10 * time.Millisecond, PingInterval: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var mu sync.Mutex
	var applied []string
	done := make(chan error, 1)
	go func() {
		done <- a.Run(ctx, bot.HandlerFunc(func(ctx context.Context, ev bot.Event) error {
			<-release // the core is busy with the first event
			mu.Lock()
			applied = append(applied, ev.Delivery())
			mu.Unlock()
			return nil
		}))
	}()
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	var envs []string
	for i := range 5 {
		_, f := fake.Say("C1", "U1", fmt.Sprint("message ", i), "")
		_, env := fake.Event(f)
		envs = append(envs, env)
	}
	for _, env := range envs {
		if err := fake.WaitAck(env, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(applied) != 5 {
		t.Fatalf("%d of 5 acked events applied before Run returned: %v", len(applied), applied)
	}
}

// TestMembershipForTheWebPage: the web page asks Slack who is in a private
// channel or DM (conversations.members, every page of it).
func TestMembershipForTheWebPage(t *testing.T) {
	e := start(t, true)
	e.fake.SetMembers("G1", "U1", "U2", "U3", "U4", "U5")
	ctx := context.Background()
	for _, tc := range []struct {
		ch, team, user string
		want           bool
	}{
		{"G1", e.fake.Team, "U5", true}, // on the third page
		{"G1", e.fake.Team, "U9", false},
		{"G1", "T-other", "U5", false},
		{"D1", e.fake.Team, "U5", false},
	} {
		got, err := e.a.IsMember(ctx, bot.ChannelRef{Platform: "slack", Space: tc.team, ID: tc.ch}, tc.user)
		if err != nil || got != tc.want {
			t.Errorf("%s %s %s: %v %v, want %v", tc.team, tc.ch, tc.user, got, err, tc.want)
		}
	}
	if _, err := e.a.IsMember(ctx, bot.ChannelRef{Platform: "slack", Space: e.fake.Team, ID: "G404"}, "U1"); err == nil {
		t.Error("an unknown channel should be an error (shown as not a member)")
	}
}
