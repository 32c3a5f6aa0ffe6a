// Package slack is the Slack adapter: it connects a workspace to the core
// through github.com/slack-go/slack, over Socket Mode (the default) or the
// Events API over HTTP, translates Slack's payloads into the core's events
// (translate.go) and posts the core's answers back, paced and exactly once.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/recent"
	"github.com/repertoire/repertoire/internal/safe"
)

// Log attribute keys: IDs only, never members' words.
const (
	logEvent    = "event"
	logEnvelope = "envelope"
	logChannel  = "channel"
	logTeam     = "team"
	logErr      = "err"
)

// Options configure an Adapter. BotToken is required, and AppToken (Socket
// Mode) or SigningSecret (Events API over HTTP).
type Options struct {
	BotToken      string
	AppToken      string
	SigningSecret string
	// APIURL is the Web API base, ending in "/"; Slack's own when empty.
	APIURL string
	// HTTPClient makes Web API and response_url calls; one with a 30 s
	// timeout when nil.
	HTTPClient *http.Client
	// PostInterval paces posts per channel; Slack allows about one message
	// per second per channel. 1s when zero.
	PostInterval time.Duration
	// ReadInterval spaces conversations.history/replies calls, which Slack
	// limits hard (Tier 3, and 1 per minute for new non-Marketplace apps:
	// set a minute there). 1.2s when zero.
	ReadInterval time.Duration
	// PingInterval is how long Socket Mode waits for Slack's ping before it
	// reconnects. 30s when zero.
	PingInterval time.Duration
	// CacheSize bounds the messages kept to answer reactions. 50,000 when zero.
	CacheSize int
	// MaxRetries bounds the waits on 429 for one call. 5 when zero.
	MaxRetries int
	// Now is the clock for the signature window; time.Now when nil.
	Now func() time.Time
	// Paced, when set, is told of each wait the adapter's own pacing
	// imposes (not Slack's 429s): the method paced and how long.
	Paced func(method string, wait time.Duration)
	// Inbox, when set, makes acknowledgement durable: a payload is
	// committed to it before Slack gets the HTTP answer or the Socket Mode
	// ack, and applied from it (the adapter is its Decoder; register it).
	// Without one, acked payloads wait in memory.
	Inbox *bot.Inbox
}

// Kinds of payload the adapter queues and stores.
const (
	kindEvent   = "event"   // an Events API callback (HTTP body or events_api envelope payload)
	kindCommand = "command" // a slash command, as slashCommand JSON
)

// queueSize bounds the payloads acked but not yet applied. A burst larger
// than the queue waits for room before its acks, and Slack redelivers what
// is not acked within 3 seconds: 1,024 payloads (a few MB) absorb about a
// second of the core's work on a busy channel.
const queueSize = 1024

// Adapter is a Slack workspace as a bot.Platform.
type Adapter struct {
	api   *slack.Client
	opts  Options
	log   *slog.Logger
	team  string
	self  string // the bot's user ID
	botID string
	cache *cache
	queue chan bot.Delivery // acked payloads waiting for the worker (without an inbox)
	acks  chan struct{}     // bounds the Socket Mode acks waiting for a commit
	seen  *seenSet
	pacer *pacer
	reads *pacer
	mu    sync.Mutex
	gone  map[string]bool   // teams that uninstalled the app
	names map[string]string // user ID → display name, for credits
	// stopped is closed once this workspace removed the app: Socket Mode
	// disconnects and the adapter stays idle (other platforms keep running).
	stopped  chan struct{}
	shown    recent.Map[shownMessage] // messages whose buttons were pressed, to show presses
	stopOnce sync.Once
}

var (
	_ bot.Platform = (*Adapter)(nil)
	_ bot.Reacter  = (*Adapter)(nil)
	_ bot.Decoder  = (*Adapter)(nil)
)

// ErrRemoved is returned for calls about a workspace that uninstalled the app.
var ErrRemoved = errors.New("slack: app uninstalled from this workspace")

// New checks the bot token with auth.test and returns the adapter. It does
// not connect Socket Mode: Run does.
func New(ctx context.Context, o Options, log *slog.Logger) (*Adapter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.BotToken == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	if o.AppToken == "" && o.SigningSecret == "" {
		return nil, errors.New("slack: an app token (Socket Mode) or a signing secret (Events API) is required")
	}
	if o.APIURL == "" {
		o.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.HTTPClient == nil {
		// A bound on every Web API call: work that outlives a shutdown
		// (the drain, the Dispatcher) must not hang on a dead connection.
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	o.PostInterval = orDefault(o.PostInterval, time.Second)
	o.ReadInterval = orDefault(o.ReadInterval, 1200*time.Millisecond)
	o.PingInterval = orDefault(o.PingInterval, 30*time.Second)
	if o.CacheSize <= 0 {
		o.CacheSize = 50_000
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	opts := []slack.Option{slack.OptionAPIURL(o.APIURL), slack.OptionHTTPClient(o.HTTPClient)}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	api := slack.New(o.BotToken, opts...)
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("slack: auth.test: %w", err)
	}
	a := &Adapter{
		api: api, opts: o, log: log, team: auth.TeamID, self: auth.UserID, botID: auth.BotID,
		cache: newCache(o.CacheSize), queue: make(chan bot.Delivery, queueSize), acks: make(chan struct{}, queueSize), seen: newSeenSet(10_000),
		pacer: newPacer(o.PostInterval), reads: newPacer(o.ReadInterval), gone: map[string]bool{}, names: map[string]string{},
		stopped: make(chan struct{}),
	}
	a.pacer.observe("chat.postMessage", o.Paced)
	a.reads.observe("conversations.history/replies", o.Paced)
	log.InfoContext(ctx, "slack connected", logTeam, a.team, "bot_user", a.self)
	return a, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Name is the platform name of Slack channels.
func (a *Adapter) Name() string { return Platform }

// Direct reports whether ch is a DM: Slack's DM conversation IDs start with D.
func (a *Adapter) Direct(ch bot.ChannelRef) bool { return strings.HasPrefix(ch.ID, "D") }

// Run hands Slack's events to h until ctx ends. With an app token it holds a
// Socket Mode connection, acking each envelope before any work and
// reconnecting when Slack asks, the socket drops or pings stop. Without one
// the events arrive through EventsHandler, and Run only applies them. With
// an Inbox the inbox applies them (h is not used).
func (a *Adapter) Run(parent context.Context, h bot.Handler) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if a.opts.Inbox != nil {
		var err error
		if a.opts.AppToken != "" {
			err = a.runSocket(ctx)
		} else {
			<-ctx.Done()
		}
		if parent.Err() != nil {
			return nil
		}
		return err
	}
	done := make(chan *bot.Delivery, 1)
	go func() { done <- a.work(ctx, h) }()
	var err error
	if a.opts.AppToken != "" {
		err = a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	cancel()
	leftover := <-done
	// What was acked is Slack's no longer: apply it before returning, or a
	// restart would lose it.
	a.drain(context.WithoutCancel(parent), h, leftover)
	if parent.Err() != nil {
		return nil
	}
	return err
}

// drainTimeout bounds how long shutdown spends applying acked payloads.
const drainTimeout = 10 * time.Second

// drain applies first, then the payloads still queued when Run stops.
func (a *Adapter) drain(ctx context.Context, h bot.Handler, first *bot.Delivery) {
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	n := 0
	if first != nil {
		a.apply(ctx, h, *first)
		n++
	}
	for ctx.Err() == nil {
		select {
		case d := <-a.queue:
			a.apply(ctx, h, d)
			n++
		default:
			if n > 0 {
				a.log.InfoContext(ctx, "applied acked slack events before stopping", "events", n)
			}
			return
		}
	}
	a.log.WarnContext(ctx, "stopped before applying every acked slack event", "applied", n, "left", len(a.queue))
}

// work applies queued payloads one at a time, in arrival order, until ctx
// ends. A payload taken from the queue after that is returned for drain.
func (a *Adapter) work(ctx context.Context, h bot.Handler) *bot.Delivery {
	for {
		select {
		case <-ctx.Done():
			return nil
		case d := <-a.queue:
			if ctx.Err() != nil {
				return &d
			}
			a.apply(ctx, h, d)
		}
	}
}

// enqueue makes a payload safe to ack, waiting at most wait: committed to
// the inbox when there is one, else handed to the in-memory worker.
func (a *Adapter) enqueue(ctx context.Context, d bot.Delivery, wait time.Duration) bool {
	if a.opts.Inbox != nil {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		if err := a.opts.Inbox.Accept(ctx, d); err != nil {
			a.log.WarnContext(ctx, "slack payload not stored: left for Slack to retry", logEvent, d.ID, logErr, err)
			return false
		}
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a.queue <- d:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// apply hands a queued payload's events to h (the path without an inbox).
func (a *Adapter) apply(ctx context.Context, h bot.Handler, d bot.Delivery) {
	evs, err := a.Decode(ctx, d)
	if err != nil {
		a.log.WarnContext(ctx, "slack payload skipped", "kind", d.Kind, logErr, err)
		return
	}
	for _, ev := range evs {
		a.handle(ctx, h, ev)
	}
}

// Decode turns a payload the adapter queued or stored back into core
// events, completing what Slack's payloads leave out (privacy, display
// names) and keeping the message cache that answers reactions. It is
// bot.Decoder for the inbox. A redelivery, an event for a workspace that
// removed the app and an event the core does not need decode to nothing.
func (a *Adapter) Decode(ctx context.Context, d bot.Delivery) ([]bot.Event, error) {
	switch d.Kind {
	case kindCommand:
		var cmd slashCommand
		if err := json.Unmarshal(d.Payload, &cmd); err != nil {
			return nil, fmt.Errorf("malformed slash command: %w", err)
		}
		m, err := translateCommand(cmd)
		if err != nil {
			return nil, fmt.Errorf("slash command: %w", err)
		}
		if a.removed(cmd.TeamID) || !a.firstTime(m.ID) {
			return nil, nil
		}
		if !m.Message.Private {
			m.Message.Private = a.private(ctx, cmd.ChannelID)
		}
		return []bot.Event{m}, nil
	case kindAction:
		return a.decodeAction(ctx, d)
	case kindEvent:
	default:
		return nil, fmt.Errorf("unknown payload kind %q", d.Kind)
	}
	cb, t, err := translateCallback(d.Payload, a.self)
	if errors.Is(err, errSkip) {
		a.log.DebugContext(ctx, "slack event skipped", logEvent, cb.EventID, "why", err.Error())
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("malformed slack event %s: %w", cb.EventID, err)
	}
	if cb.EventID != "" && !a.firstTime(cb.EventID) {
		a.log.DebugContext(ctx, "slack event redelivered, already applied", logEvent, cb.EventID)
		return nil, nil
	}
	if a.removed(cb.TeamID) {
		return nil, nil
	}
	if t.Removed {
		a.mu.Lock()
		a.gone[cb.TeamID] = true
		a.mu.Unlock()
		a.log.InfoContext(ctx, "slack app removed from workspace; purging", logTeam, cb.TeamID)
	}
	private := t.Private
	if !t.PrivacyKnown && t.Channel != "" {
		private = a.private(ctx, t.Channel)
	} else if t.Channel != "" {
		a.cache.setPrivacy(t.Channel, t.Private)
	}
	evs := make([]bot.Event, 0, len(t.Events))
	for _, ev := range t.Events {
		switch e := ev.(type) {
		case bot.MessagePosted:
			e.Message.Private = private
			a.cache.put(e.Message) // names are looked up only when needed (Thread)
			ev = e
		case bot.MessageEdited:
			e.Message.Private = private
			a.cache.edit(e.Message)
			ev = e
		case bot.MessageDeleted:
			a.cache.remove(e.Ref)
		case bot.ReactionAdded:
			e.Private = private
			e.User.Name = a.name(ctx, e.User)
			a.cache.react(e.Target, bot.Reaction{User: e.User, Emoji: e.Emoji}, true)
			ev = e
		case bot.ReactionRemoved:
			e.Private = private
			a.cache.react(e.Target, bot.Reaction{User: e.User, Emoji: e.Emoji}, false)
			ev = e
		case bot.Mentioned:
			e.Message.Private = private
			e.Message.Author.Name = a.name(ctx, e.Message.Author)
			ev = e
		}
		evs = append(evs, ev)
	}
	if t.Removed && cb.TeamID == a.team {
		a.stopOnce.Do(func() { close(a.stopped) })
	}
	return evs, nil
}

// firstTime reports whether a delivery has not been decoded before. With an
// inbox that is the inbox's job (it stores a delivery once, and may decode
// one again to retry it), so every delivery is.
func (a *Adapter) firstTime(id string) bool {
	return a.opts.Inbox != nil || a.seen.add(id)
}

func (a *Adapter) handle(ctx context.Context, h bot.Handler, ev bot.Event) {
	if err := h.Handle(ctx, ev); err != nil {
		a.log.WarnContext(ctx, "slack event failed", logEvent, ev.Delivery(), logErr, err)
	}
}

func (a *Adapter) removed(team string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gone[team]
}

// name returns a member's display name for credits (users.info, cached).
// Events carry only IDs; a failed lookup leaves the name empty.
func (a *Adapter) name(ctx context.Context, u bot.User) string {
	if u.Name != "" || u.ID == "" {
		return u.Name
	}
	a.mu.Lock()
	n, ok := a.names[u.ID]
	a.mu.Unlock()
	if ok {
		return n
	}
	info, err := a.api.GetUserInfoContext(ctx, u.ID)
	if err != nil {
		a.log.DebugContext(ctx, "users.info failed", "user", u.ID, logErr, err)
		return ""
	}
	n = info.Profile.DisplayName
	if n == "" {
		n = info.RealName
	}
	if n == "" {
		n = info.Name
	}
	a.mu.Lock()
	if len(a.names) > 50_000 {
		clear(a.names)
	}
	a.names[u.ID] = n
	a.mu.Unlock()
	return n
}

// private reports whether a channel is private or a DM, asking Slack on a
// miss. It fails closed: when Slack cannot say, the channel is private.
func (a *Adapter) private(ctx context.Context, ch string) bool {
	if p, ok := a.cache.privacy(ch); ok {
		return p
	}
	if strings.HasPrefix(ch, "D") {
		a.cache.setPrivacy(ch, true)
		return true
	}
	info, err := a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch})
	if err != nil {
		a.log.WarnContext(ctx, "conversations.info failed; treating channel as private", logChannel, ch, logErr, err)
		return true
	}
	p := info.IsPrivate || info.IsIM || info.IsMpIM
	a.cache.setPrivacy(ch, p)
	return p
}

// runSocket keeps a Socket Mode connection until ctx ends. slack-go
// reconnects on disconnect envelopes, drops and missing pings; when it gives
// up (a failed connect), this waits and starts it again.
func (a *Adapter) runSocket(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sm := socketmode.New(a.api, socketmode.OptionPingInterval(a.opts.PingInterval))
	runErr := make(chan error, 1)
	go func() {
		backoff := time.Second
		for {
			err := sm.RunContext(ctx)
			if ctx.Err() != nil {
				runErr <- nil
				return
			}
			var se slack.SlackErrorResponse
			if errors.As(err, &se) && fatalAuth[se.Err] {
				runErr <- fmt.Errorf("slack socket mode: app token refused: %w", err)
				return
			}
			a.log.WarnContext(ctx, "slack socket mode stopped; reconnecting", logErr, err, "in", backoff)
			select {
			case <-ctx.Done():
				runErr <- nil
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, time.Minute)
		}
	}()
	// After the workspace removes the app, the connection is kept a moment
	// before it closes: slack-go's Ack only queues the ack for the
	// connection's writer, so closing at once could drop the ack of the
	// removal itself, or of an envelope committed just before it.
	stopped, idle := a.stopped, (<-chan time.Time)(nil)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stopped:
			stopped, idle = nil, time.After(ackGrace)
		case <-idle:
			a.log.InfoContext(ctx, "slack workspace removed the app: socket mode closed, adapter idle", logTeam, a.team)
			cancel()
			<-runErr
			<-parent.Done()
			return nil
		case err := <-runErr:
			return err
		case evt, ok := <-sm.Events:
			if !ok {
				return nil
			}
			a.onSocket(ctx, sm, evt)
		}
	}
}

// ackGrace is how long socket mode stays open after the app's removal, for
// the acks already queued to be written.
const ackGrace = time.Second

// fatalAuth are the apps.connections.open errors that retrying cannot fix.
var fatalAuth = map[string]bool{"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true}

// onSocket queues an envelope's payload for the worker and then acks it,
// before any work. An envelope that cannot be queued within two seconds is
// left unacked so that Slack redelivers it: no acked event is lost, and a
// redelivery is applied once (event_id, trigger_id).
func (a *Adapter) onSocket(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		req := evt.Request
		if req == nil {
			return
		}
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			a.accept(ctx, sm, req.EnvelopeID, kindEvent, req.Payload)
		case socketmode.EventTypeSlashCommand:
			a.accept(ctx, sm, req.EnvelopeID, kindCommand, req.Payload)
		default:
			a.accept(ctx, sm, req.EnvelopeID, kindAction, req.Payload)
		}
	case socketmode.EventTypeErrorBadMessage:
		// A frame slack-go could not parse. slack-go refuses inner events it
		// has no type for; our own translation is more lenient, so an
		// events_api envelope still goes to the worker (which logs and skips
		// what it does not know). Anything else with an envelope_id is acked
		// so that Slack stops redelivering it.
		bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
		if !ok {
			return
		}
		var env struct {
			Type       string          `json:"type"`
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(bad.Message, &env); err != nil || env.EnvelopeID == "" {
			a.log.WarnContext(ctx, "malformed slack envelope skipped", logErr, bad.Cause)
			return
		}
		if env.Type == "events_api" && len(env.Payload) > 0 {
			a.accept(ctx, sm, env.EnvelopeID, kindEvent, env.Payload)
			return
		}
		a.log.WarnContext(ctx, "slack envelope skipped", logEnvelope, env.EnvelopeID, "type", env.Type, logErr, bad.Cause)
		a.accept(ctx, sm, env.EnvelopeID, "", nil)
	case socketmode.EventTypeConnected:
		a.log.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		a.log.WarnContext(ctx, "slack socket mode error", "type", string(evt.Type))
	case socketmode.EventTypeInvalidAuth:
		a.log.ErrorContext(ctx, "slack socket mode: invalid app token")
	}
}

// accept makes an envelope's payload (of kind) safe and then acks it; with
// no payload it only acks. With an inbox the payload is submitted in
// arrival order and the ack waits for its group commit on its own
// goroutine (at most queueSize at once), so the connection keeps reading
// while a commit is on disk. What is not committed within two seconds is
// left unacked: Slack redelivers it, and the inbox stores a delivery once.
func (a *Adapter) accept(ctx context.Context, sm *socketmode.Client, envelopeID, kind string, payload []byte) {
	ack := func() {
		if err := sm.AckCtx(ctx, envelopeID, nil); err != nil {
			a.log.WarnContext(ctx, "slack ack failed", logEnvelope, envelopeID, logErr, err)
		}
	}
	if payload == nil {
		ack()
		return
	}
	d, skip := a.delivery(ctx, kind, payload)
	if skip {
		ack()
		return
	}
	if a.opts.Inbox == nil {
		if !a.enqueue(ctx, d, 2*time.Second) {
			a.log.WarnContext(ctx, "slack queue full: envelope left for redelivery", logEnvelope, envelopeID)
			return
		}
		ack()
		return
	}
	res := a.opts.Inbox.Submit(d)
	select {
	case a.acks <- struct{}{}:
	case <-ctx.Done():
		return
	}
	go func() {
		defer func() { <-a.acks }()
		t := time.NewTimer(2 * time.Second)
		defer t.Stop()
		select {
		case err := <-res:
			if err != nil {
				a.log.WarnContext(ctx, "slack envelope not stored: left for redelivery", logEnvelope, envelopeID, logErr, err)
				return
			}
			ack()
		case <-t.C:
			a.log.WarnContext(ctx, "slack envelope not stored within 2s: left for redelivery", logEnvelope, envelopeID)
		case <-ctx.Done():
		}
	}()
}

// Thread returns the message and its thread from the cache, asking
// conversations.replies (paced) only on a miss, and fills the target's
// permalink.
func (a *Adapter) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	if a.removed(ref.Channel.Space) {
		return nil, ErrRemoved
	}
	msgs, ok := a.cache.thread(ref)
	if !ok {
		var err error
		if msgs, err = a.fetchThread(ctx, ref); err != nil {
			return nil, err
		}
	}
	// Any message of the thread may become an entry (save picks the best
	// reply), so each gets its author's name and its permalink, cached.
	for i := range msgs {
		msgs[i].Author.Name = a.name(ctx, msgs[i].Author)
	}
	for i := range msgs {
		if msgs[i].Link != "" || i >= maxLinks {
			continue
		}
		m := msgs[i].Ref
		link, err := a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: m.Channel.ID, Ts: m.ID})
		if err != nil {
			a.log.WarnContext(ctx, "chat.getPermalink failed", logChannel, m.Channel.ID, logErr, err)
			continue
		}
		msgs[i].Link = link
		a.cache.setLink(m, link)
	}
	return msgs, nil
}

// maxLinks bounds the chat.getPermalink calls for one thread.
const maxLinks = 100

func (a *Adapter) fetchThread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	ts := ref.ID
	if ref.Thread != "" {
		ts = ref.Thread
	}
	var raw []slack.Message
	err := a.retry(ctx, func() error {
		if err := a.reads.wait(ctx, "reads"); err != nil {
			return err
		}
		var err error
		raw, _, _, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: ref.Channel.ID, Timestamp: ts, Limit: 200})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("conversations.replies: %w", err)
	}
	private := a.private(ctx, ref.Channel.ID)
	out := make([]bot.Message, 0, len(raw))
	for _, m := range raw {
		bm := message(inner{User: m.User, BotID: m.BotID, Subtype: m.SubType, Username: m.Username, Text: m.Text, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp}, ref.Channel, a.self)
		bm.Private = private
		for _, r := range m.Reactions {
			for _, u := range r.Users {
				bm.Reactions = append(bm.Reactions, bot.Reaction{User: bot.User{ID: u}, Emoji: bot.Emoji{Shortcode: normalizeReaction(r.Name)}})
			}
		}
		a.cache.put(bm)
		out = append(out, bm)
	}
	found := false
	for _, m := range out {
		found = found || m.Ref.ID == ref.ID
	}
	if !found {
		return nil, fmt.Errorf("conversations.replies: message %s not found", ref.ID)
	}
	if msgs, ok := a.cache.thread(ref); ok {
		return msgs, nil
	}
	return out, nil
}

// React adds the bot's reaction: the quiet acknowledgement of a capture.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, e bot.Emoji) error {
	if a.removed(ref.Channel.Space) {
		return ErrRemoved
	}
	name := e.Shortcode
	if name == "" {
		return fmt.Errorf("slack react: emoji %q has no shortcode", e.Unicode)
	}
	err := a.retry(ctx, func() error {
		return a.api.AddReactionContext(ctx, name, slack.ItemRef{Channel: ref.Channel.ID, Timestamp: ref.ID})
	})
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "already_reacted" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reactions.add: %w", err)
	}
	return nil
}

// maxText is where Slack starts truncating a message's text (it allows
// 40,000 characters but advises 4,000 for readability).
const maxText = 3900

// Post sends out rendered as Block Kit (Render): in its thread,
// ephemerally through the command's response_url or chat.postEphemeral,
// else with chat.postMessage. Text is escaped (& < >), mentions are made
// inert and link_names is never set, so nothing pings. Posts are paced per
// channel, and a 429 never produces a second copy.
func (a *Adapter) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	if a.removed(out.Channel.Space) {
		return bot.MessageRef{}, ErrRemoved
	}
	first := bot.MessageRef{Channel: out.Channel, Thread: out.Thread}
	for i, msg := range Render(out.Doc) {
		var ts string
		var err error
		switch {
		case out.Ephemeral && out.Interaction != "":
			err = a.respond(ctx, out.Interaction, msg)
		case out.Ephemeral:
			err = a.retry(ctx, func() error {
				opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
				if out.Thread != "" {
					opts = append(opts, slack.MsgOptionTS(out.Thread))
				}
				var err error
				ts, err = a.api.PostEphemeralContext(ctx, out.Channel.ID, out.To.ID, opts...)
				return err
			})
		default:
			ts, err = a.postOnce(ctx, out.Channel.ID, out.Thread, msg)
		}
		if err != nil {
			return bot.MessageRef{}, fmt.Errorf("slack post: %w", err)
		}
		if i == 0 {
			first.ID = ts
		}
	}
	return first, nil
}

// respond answers a slash command through its response_url, ephemerally.
func (a *Adapter) respond(ctx context.Context, url string, msg Rendered) error {
	err := slack.PostWebhookCustomHTTPContext(ctx, url, a.opts.HTTPClient, &slack.WebhookMessage{
		Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks}, ResponseType: slack.ResponseTypeEphemeral,
	})
	// The response_url is a capability: it never goes into an error.
	return safe.NewRedactor(url).Error(err)
}

// postOnce posts one message at the channel's pace. After a 429 it waits
// Retry-After and then looks for the message in the channel (or thread)
// before trying again: Slack can answer 429 for a message it did post.
func (a *Adapter) postOnce(ctx context.Context, channel, thread string, msg Rendered) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	since := a.opts.Now().Add(-2 * time.Second)
	for attempt := 0; ; attempt++ {
		if err := a.pacer.wait(ctx, channel); err != nil {
			return "", err
		}
		_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
		if err == nil {
			return ts, nil
		}
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= a.opts.MaxRetries {
			return "", fmt.Errorf("chat.postMessage: %w", err)
		}
		a.log.WarnContext(ctx, "slack rate limited; waiting", logChannel, channel, "retry_after", rl.RetryAfter)
		if err := sleep(ctx, rl.RetryAfter); err != nil {
			return "", err
		}
		if ts, ok := a.findPosted(ctx, channel, thread, msg.Text, since); ok {
			a.log.InfoContext(ctx, "slack post was delivered despite 429; not posting again", logChannel, channel)
			return ts, nil
		}
	}
}

// findPosted looks for the bot's own message with this text posted since a time.
func (a *Adapter) findPosted(ctx context.Context, channel, thread, escaped string, since time.Time) (string, bool) {
	oldest := fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000)
	var msgs []slack.Message
	err := a.retry(ctx, func() error {
		if err := a.reads.wait(ctx, "reads"); err != nil {
			return err
		}
		if thread != "" {
			m, _, _, err := a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: thread, Oldest: oldest, Limit: 50})
			msgs = m
			return err
		}
		h, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: oldest, Limit: 15})
		if h != nil {
			msgs = h.Messages
		}
		return err
	})
	if err != nil {
		a.log.WarnContext(ctx, "check for a rate-limited post failed", logChannel, channel, logErr, err)
		return "", false
	}
	for _, m := range msgs {
		if (m.User == a.self || (a.botID != "" && m.BotID == a.botID)) && m.Text == escaped && compareTS(m.Timestamp, oldest) >= 0 {
			return m.Timestamp, true
		}
	}
	return "", false
}

// retry runs call again after each 429, waiting Retry-After, up to MaxRetries times.
func (a *Adapter) retry(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= a.opts.MaxRetries {
			return err
		}
		if err := sleep(ctx, rl.RetryAfter); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacer spaces calls per key (a channel) by at least an interval.
type pacer struct {
	every time.Duration
	mu    sync.Mutex
	next  map[string]time.Time
	paced func(time.Duration) // told of each wait, when set
}

func newPacer(every time.Duration) *pacer { return &pacer{every: every, next: map[string]time.Time{}} }

// observe makes the pacer tell fn (when not nil) of each wait, as method's.
func (p *pacer) observe(method string, fn func(string, time.Duration)) {
	if fn != nil {
		p.paced = func(d time.Duration) { fn(method, d) }
	}
}

func (p *pacer) wait(ctx context.Context, key string) error {
	d := p.reserve(key, time.Now())
	if d > 0 && p.paced != nil {
		p.paced(d)
	}
	return sleep(ctx, d)
}

// reserve books the next slot for key and returns how long to wait for it.
func (p *pacer) reserve(key string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.next[key]
	if at.Before(now) {
		at = now
	}
	p.next[key] = at.Add(p.every)
	if len(p.next) > 10_000 {
		for k, t := range p.next {
			if t.Before(now) {
				delete(p.next, k)
			}
		}
	}
	return at.Sub(now)
}

// seenSet remembers the last n delivery IDs so a redelivery is dropped
// before any work (the store dedupes too, durably).
type seenSet struct {
	mu    sync.Mutex
	n     int
	ids   map[string]bool
	order []string
}

func newSeenSet(n int) *seenSet { return &seenSet{n: n, ids: map[string]bool{}} }

// add reports whether id is new.
func (s *seenSet) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[id] {
		return false
	}
	s.ids[id] = true
	s.order = append(s.order, id)
	if len(s.order) > s.n {
		delete(s.ids, s.order[0])
		s.order = s.order[1:]
	}
	return true
}

var _ bot.PostFinder = (*Adapter)(nil)

// FindPost looks through the channel's history since a time (paced like
// every history read) for a message of the bot whose text holds contains.
func (a *Adapter) FindPost(ctx context.Context, ch bot.ChannelRef, since time.Time, contains string) (bot.MessageRef, bool, error) {
	if a.removed(ch.Space) {
		return bot.MessageRef{}, false, ErrRemoved
	}
	oldest := fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000)
	cursor := ""
	for range 20 { // 20 pages of 200: far more than a channel says during a lease
		var h *slack.GetConversationHistoryResponse
		err := a.retry(ctx, func() error {
			if err := a.reads.wait(ctx, "reads"); err != nil {
				return err
			}
			var err error
			h, err = a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch.ID, Oldest: oldest, Limit: 200, Cursor: cursor})
			return err
		})
		if err != nil {
			return bot.MessageRef{}, false, fmt.Errorf("conversations.history: %w", err)
		}
		for _, m := range h.Messages {
			if (m.User == a.self || (a.botID != "" && m.BotID == a.botID)) && strings.Contains(m.Text, contains) {
				return bot.MessageRef{Channel: ch, ID: m.Timestamp}, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return bot.MessageRef{}, false, nil
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	return bot.MessageRef{}, false, nil
}
