// Package discord is Repertoire's Discord adapter: it keeps a gateway
// connection through discordgo, translates Discord's dispatches into the
// core's events (translate.go) and posts the core's answers over REST.
//
// discordgo's own reconnection is switched off (ShouldReconnectOnError) and
// replaced by the supervisor in Run, because v0.29.0 reconnects on every
// close code (4014 included, forever), never reports the code, and only
// notices a zombied connection after five heartbeat intervals. The
// gatewayMonitor reads the frames discordgo receives to learn close codes
// and the heartbeat interval; everything else is the real client.
package discord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/recent"
)

// Log attribute keys: IDs, never message text.
const (
	logChannel  = "channel"
	logMessage  = "message"
	logDelivery = "delivery"
	logSession  = "session"
	logErr      = "err"
	logCode     = "code"
)

// MessageLimit is the most characters Discord takes in one message.
const MessageLimit = 2000

// DefaultAPIURL is where REST and gateway discovery go unless DISCORD_API_URL says otherwise.
const DefaultAPIURL = "https://discord.com/"

// Intents the bot asks for. MESSAGE_CONTENT is privileged and added only
// when the application has it enabled (see Run).
const baseIntents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages |
	discordgo.IntentsGuildMessageReactions | discordgo.IntentsDirectMessages |
	discordgo.IntentsDirectMessageReactions

// Application flags that say the Message Content intent is enabled.
const (
	flagMessageContent        = 1 << 18
	flagMessageContentLimited = 1 << 19
)

// Config configures the adapter.
type Config struct {
	Token  string // the bot token, without "Bot "
	APIURL string // DefaultAPIURL when empty
	// DeferAfter is how long an interaction may wait for the core's answer
	// before the adapter sends a deferred response; Discord wants a first
	// response within 3 s. 2 s when zero.
	DeferAfter time.Duration
	// CacheSize bounds the message cache (10,000 when zero).
	CacheSize int
	// Transport carries REST requests after the URL is rewritten (tests,
	// proxies); http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Inbox, when set, receives members' events (messages, reactions,
	// deletes, a removal from a guild) as the gateway delivers them,
	// committed before the next dispatch is read; the inbox applies them
	// through the adapter (a bot.Decoder: register it). A new session
	// does not replay what a killed process had received.
	Inbox *bot.Inbox
	// Shards are the gateway shards this process runs
	// (REPERTOIRE_DISCORD_SHARDS); the zero value is AllShards.
	Shards Shards
}

// Adapter is the Discord platform: one gateway session per shard it runs,
// and one REST client (one set of rate-limit buckets) they all share.
type Adapter struct {
	s          *discordgo.Session // REST
	shards     []*shard
	set        Shards
	log        *slog.Logger
	st         *state
	deferAfter time.Duration

	inbox      *bot.Inbox
	onSession  func(bot.CatchUpScope)
	shown      recent.Map[shownMessage] // messages whose buttons were pressed, to show presses
	ready      chan struct{}            // closed at the first READY: stored events need the bot's ID
	once       sync.Once
	registered atomic.Bool // the application commands are registered
	guilds     guildList   // every guild the bot is in, for DMs when sharded

	mu      sync.Mutex
	appID   string
	pending map[string]*interaction
	members members
}

var (
	_ bot.Platform = (*Adapter)(nil)
	_ bot.Reacter  = (*Adapter)(nil)
)

// New builds the adapter; nothing connects until Run.
func New(cfg Config, log *slog.Logger) (*Adapter, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("discord: DISCORD_TOKEN is empty")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("discord: DISCORD_API_URL %q is not an http(s) URL", cfg.APIURL)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = 2 * time.Second
	}
	next := cfg.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	set := cfg.Shards
	if set.Count == 0 {
		set = AllShards()
	}
	if len(set.IDs) == 0 || set.Count < 1 {
		return nil, fmt.Errorf("discord: shards %v: no shard to run", set)
	}
	for i, id := range set.IDs {
		if id < 0 || id >= set.Count || (i > 0 && id <= set.IDs[i-1]) {
			return nil, fmt.Errorf("discord: shards %v: IDs must ascend, each below the count", set)
		}
	}
	token := "Bot " + strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot ")
	s, err := newSession(token)
	if err != nil {
		return nil, err
	}
	s.Client = &http.Client{Transport: rewriter{base: base, next: next}, Timeout: 30 * time.Second}
	log = log.With("platform", platformName)
	a := &Adapter{s: s, set: set, log: log, st: newState(cfg.CacheSize),
		deferAfter: cfg.DeferAfter, pending: map[string]*interaction{}, inbox: cfg.Inbox, ready: make(chan struct{})}
	for _, id := range set.IDs {
		gs, err := newSession(token)
		if err != nil {
			return nil, err
		}
		mon := &gatewayMonitor{}
		gs.Client, gs.Ratelimiter = s.Client, s.Ratelimiter // one REST client and one set of buckets
		gs.Dialer = &websocket.Dialer{
			Proxy:             http.ProxyFromEnvironment,
			NetDialContext:    mon.dial,
			NetDialTLSContext: mon.dialTLS,
			HandshakeTimeout:  15 * time.Second,
		}
		gs.ShardID, gs.ShardCount = id, set.Count // IDENTIFY's shard: [id, count] when count > 1
		sh := &shard{id: id, count: set.Count, s: gs, mon: mon, log: log}
		if set.Count > 1 {
			sh.log = log.With("shard", id)
		}
		a.shards = append(a.shards, sh)
	}
	return a, nil
}

// newSession is a discordgo session as the adapter runs it.
func newSession(token string) (*discordgo.Session, error) {
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	s.ShouldReconnectOnError = false // Run reconnects; see the package comment
	s.StateEnabled = false           // the adapter keeps the little state it needs
	s.SyncEvents = true              // dispatches reach us in gateway order
	s.LogLevel = -1                  // discordgo logs through the global log package; we log ourselves
	s.Identify.Intents = baseIntents
	return s, nil
}

// Shards are the gateway shards this adapter runs.
func (a *Adapter) Shards() Shards { return a.set }

// OnSession makes the adapter call f (on its own goroutine) after each
// READY: a new session, to which Discord replays nothing of what happened
// before it, so the core catches up (bot.CatchUp.TriggerScope) the
// channels that session's shard receives. Set it before Run.
func (a *Adapter) OnSession(f func(bot.CatchUpScope)) { a.onSession = f }

// rewriter sends discordgo's requests for https://discord.com/ to the
// configured base URL, leaving discordgo's package variables alone.
type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return r.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	prefix := strings.TrimSuffix(r.base.Path, "/")
	req.URL.Scheme, req.URL.Host, req.Host = r.base.Scheme, r.base.Host, r.base.Host
	req.URL.Path = prefix + req.URL.Path
	if req.URL.RawPath != "" {
		req.URL.RawPath = prefix + req.URL.RawPath
	}
	return r.next.RoundTrip(req)
}

// Name is "discord".
func (a *Adapter) Name() string { return platformName }

// drainTimeout bounds how long shutdown spends applying delivered events.
const drainTimeout = 10 * time.Second

// Direct reports whether ch is a DM: a channel outside any guild.
func (a *Adapter) Direct(ch bot.ChannelRef) bool { return ch.Space == "" }

// ThreadChannel reports whether ch is a thread (a forum post is one), which
// has its own channel ID. A channel not seen on the gateway (an archived
// thread after a restart) is fetched once and remembered; false when that
// fails.
func (a *Adapter) ThreadChannel(ctx context.Context, ch bot.ChannelRef) bool {
	if ch.Space == "" {
		return false
	}
	c, ok := a.st.channel(ch.ID)
	if !ok {
		c, ok = a.fetchChannel(ctx, ch.ID, ch.Space)
	}
	return ok && c.isThread()
}

// FatalCloseError is Run's error when Discord closes the gateway with a code
// that reconnecting cannot fix.
type FatalCloseError struct {
	Code   int
	Reason string
}

func (e *FatalCloseError) Error() string {
	var why string
	switch e.Code {
	case 4004:
		why = "authentication failed: DISCORD_TOKEN is wrong or was reset"
	case 4010:
		why = "invalid shard"
	case 4011:
		why = "sharding required: the bot is in too many guilds for one connection"
	case 4012:
		why = "invalid gateway API version"
	case 4013:
		why = "invalid intents"
	case 4014:
		why = "disallowed intents: enable the Message Content intent (Privileged Gateway Intents) for this application in the Discord Developer Portal, or turn it off there consistently"
	default:
		why = "closed by Discord"
	}
	if e.Reason != "" {
		why += " (" + e.Reason + ")"
	}
	return fmt.Sprintf("discord gateway closed with %d: %s", e.Code, why)
}

func fatalClose(code int) bool {
	return code == 4004 || (code >= 4010 && code <= 4014)
}

type wireApplication struct {
	ID    string `json:"id"`
	Flags uint64 `json:"flags"`
}

// Run connects to the gateway and delivers events to h until ctx is done
// (nil) or Discord closes with a non-reconnectable code (*FatalCloseError).
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	var app wireApplication
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointApplication("@me"), nil,
		discordgo.EndpointApplication("@me"), discordgo.WithContext(ctx))
	if err == nil {
		err = json.Unmarshal(body, &app)
	}
	if err != nil {
		return fmt.Errorf("discord: read application (is DISCORD_TOKEN right?): %w", err)
	}
	if app.ID == "" {
		return errors.New("discord: read application: no id in Discord's answer")
	}
	a.mu.Lock()
	a.appID = app.ID
	a.mu.Unlock()
	intents := baseIntents
	if app.Flags&(flagMessageContent|flagMessageContentLimited) != 0 {
		intents |= discordgo.IntentsMessageContent
	} else {
		a.log.WarnContext(ctx, "the Message Content intent is not enabled for this application: "+
			"reactions cannot capture messages (Discord sends their text empty) and edits are not followed; "+
			"mentions, DMs, /ask, /save and the \"Save to repertoire\" menu still work. "+
			"Enable it under Bot → Privileged Gateway Intents in the Developer Portal and restart.",
			"application", app.ID)
	}
	for _, sh := range a.shards {
		sh.s.Identify.Intents = intents
	}
	return a.runShards(ctx, h)
}

func (a *Adapter) registerCommands(ctx context.Context) error {
	a.mu.Lock()
	app := a.appID
	a.mu.Unlock()
	_, err := a.s.RequestWithBucketID(http.MethodPut, discordgo.EndpointApplicationGlobalCommands(app), Commands(),
		discordgo.EndpointApplicationGlobalCommands(app), discordgo.WithContext(ctx))
	if err != nil {
		a.log.ErrorContext(ctx, "register application commands", logErr, err)
		return err
	}
	a.log.InfoContext(ctx, "application commands registered", "count", len(Commands()))
	return nil
}

// inboxTypes are the dispatches that carry members' events: with an inbox
// they are committed as received and applied from there.
var inboxTypes = map[string]bool{"MESSAGE_CREATE": true, "MESSAGE_UPDATE": true, "MESSAGE_DELETE": true,
	"MESSAGE_DELETE_BULK": true, "MESSAGE_REACTION_ADD": true, "MESSAGE_REACTION_REMOVE": true,
	"MESSAGE_REACTION_REMOVE_ALL": true, "MESSAGE_REACTION_REMOVE_EMOJI": true, "GUILD_DELETE": true}

// take commits a member's event to the inbox (when there is one) or
// applies the dispatch now. If the store cannot take it, it is applied now:
// the process may still live to apply it.
func (a *Adapter) take(ctx context.Context, h bot.Handler, sh *shard, e *discordgo.Event) {
	if a.inbox == nil || !inboxTypes[e.Type] {
		a.dispatch(ctx, h, sh, e)
		return
	}
	session := sh.sessionID()
	var w struct {
		ChannelID string `json:"channel_id"`
		ID        string `json:"id"`
	}
	_ = json.Unmarshal(e.RawData, &w)
	key := w.ChannelID
	if e.Type == "GUILD_DELETE" {
		key = "guild/" + w.ID
	}
	d := bot.Delivery{Platform: platformName, Kind: e.Type, ID: "discord:" + session + ":" + strconv.FormatInt(e.Sequence, 10),
		Channel: key, Payload: e.RawData, Received: time.Now()}
	if err := a.inbox.Accept(ctx, d); err != nil {
		sh.log.WarnContext(ctx, "gateway event not stored; applying it now", "type", e.Type, logDelivery, d.ID, logErr, err)
		a.dispatch(ctx, h, sh, e)
	}
}

var _ bot.Decoder = (*Adapter)(nil)

// Decode translates a stored gateway dispatch (bot.Decoder). The session's
// READY must have come first (translation needs the bot's own ID), so after
// a restart stored events wait for the gateway.
func (a *Adapter) Decode(ctx context.Context, d bot.Delivery) ([]bot.Event, error) {
	select {
	case <-a.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the gateway: %w", ctx.Err())
	}
	return a.translate(ctx, d.Kind, d.ID, d.Payload)
}

// dispatch applies one gateway dispatch: state updates, translation, and
// the events handed to h. Bad payloads are logged and skipped.
func (a *Adapter) dispatch(ctx context.Context, h bot.Handler, sh *shard, e *discordgo.Event) {
	session := sh.sessionID()
	delivery := "discord:" + session + ":" + strconv.FormatInt(e.Sequence, 10)
	if e.Type == "INTERACTION_CREATE" && a.pressed(ctx, h, e.RawData) {
		return
	}
	if inboxTypes[e.Type] || e.Type == "INTERACTION_CREATE" {
		evs, err := a.translate(ctx, e.Type, delivery, e.RawData)
		if err != nil {
			a.log.WarnContext(ctx, "skipped a gateway dispatch", "type", e.Type, logDelivery, delivery, logErr, err)
			return
		}
		for _, ev := range evs {
			if err := h.Handle(ctx, ev); err != nil {
				a.log.WarnContext(ctx, "event not applied", logDelivery, ev.Delivery(), logErr, err)
			}
		}
		return
	}
	botID := a.st.botUser()
	var err error
	switch e.Type {
	case "READY":
		var r struct {
			SessionID string   `json:"session_id"`
			User      wireUser `json:"user"`
			Guilds    []struct {
				ID string `json:"id"`
			} `json:"guilds"`
		}
		if err = json.Unmarshal(e.RawData, &r); err == nil {
			a.st.setBot(r.User.ID)
			sh.setSession(r.SessionID)
			a.once.Do(func() { close(a.ready) })
			sh.log.InfoContext(ctx, "gateway ready", logSession, r.SessionID, "user", r.User.ID, "shards", a.set.String(), "guilds", len(r.Guilds))
			if a.onSession != nil {
				go a.onSession(shardScope(sh.id, sh.count))
			}
		}
	case "RESUMED":
		sh.log.InfoContext(ctx, "gateway resumed", logSession, session)
	case "GUILD_CREATE", "THREAD_LIST_SYNC":
		var g struct {
			ID       string        `json:"id"`
			GuildID  string        `json:"guild_id"`
			Channels []wireChannel `json:"channels"`
			Threads  []wireChannel `json:"threads"`
			Roles    []wireRole    `json:"roles"`
		}
		if err = json.Unmarshal(e.RawData, &g); err == nil {
			guild := g.ID
			if e.Type == "THREAD_LIST_SYNC" {
				guild = g.GuildID
			}
			for _, r := range g.Roles {
				if r.Tags != nil && r.Tags.BotID != "" && r.Tags.BotID == botID {
					a.st.putBotRole(guild, r.ID)
				}
			}
			for _, c := range g.Channels {
				a.st.putChannel(c, guild)
			}
			for _, c := range g.Threads {
				a.st.putChannel(c, guild)
			}
		}
	case "CHANNEL_CREATE", "CHANNEL_UPDATE", "THREAD_CREATE", "THREAD_UPDATE":
		var c wireChannel
		if err = json.Unmarshal(e.RawData, &c); err == nil && c.ID != "" {
			a.st.putChannel(c, "")
		}
	case "CHANNEL_DELETE", "THREAD_DELETE":
		var c wireChannel
		if err = json.Unmarshal(e.RawData, &c); err == nil {
			a.st.dropChannel(c.ID)
		}
	}
	if err != nil {
		sh.log.WarnContext(ctx, "skipped a gateway dispatch", "type", e.Type, logDelivery, delivery, logErr, err)
	}
}

// translate turns a dispatch carrying members' events into core events,
// keeping the message cache and guild state as it goes.
func (a *Adapter) translate(ctx context.Context, typ, delivery string, raw json.RawMessage) ([]bot.Event, error) {
	botID := a.st.botUser()
	var (
		evs []bot.Event
		err error
	)
	e := struct {
		Type    string
		RawData json.RawMessage
	}{typ, raw}
	switch e.Type {
	case "GUILD_DELETE":
		// An outage sends it with unavailable: true; without that flag the
		// bot was removed from the server, and what it kept goes too.
		if evs, err = translateGuildDelete(delivery, e.RawData); len(evs) > 0 {
			gone := evs[0].(bot.SpaceRemoved).Space
			a.st.dropGuild(gone)
			a.log.InfoContext(ctx, "removed from guild: purging what was kept from it", "guild", gone)
		}
	case "MESSAGE_CREATE":
		a.ensureChannel(ctx, e.RawData)
		a.ensureBotRole(ctx, e.RawData)
		var m *bot.Message
		if evs, m, err = translateCreate(delivery, e.RawData, botID, a.st); m != nil {
			a.st.putMessage(*m)
		}
	case "MESSAGE_UPDATE":
		a.ensureChannel(ctx, e.RawData)
		var m *bot.Message
		if evs, m, err = translateUpdate(delivery, e.RawData, a.st); m != nil {
			a.st.putMessage(*m)
		}
	case "MESSAGE_DELETE":
		if evs, err = translateDelete(delivery, e.RawData); err == nil {
			a.st.dropMessage(evs[0].(bot.MessageDeleted).Ref.ID)
		}
	case "MESSAGE_DELETE_BULK":
		if evs, err = translateDeleteBulk(delivery, e.RawData); err == nil {
			for _, ev := range evs {
				a.st.dropMessage(ev.(bot.MessageDeleted).Ref.ID)
			}
		}
	case "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE":
		a.ensureChannel(ctx, e.RawData)
		evs, err = translateReaction(delivery, e.RawData, e.Type == "MESSAGE_REACTION_ADD", a.st)
	case "MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI":
		a.ensureChannel(ctx, e.RawData)
		evs, err = translateReactionsCleared(delivery, e.RawData, e.Type == "MESSAGE_REACTION_REMOVE_ALL", a.st)
	case "INTERACTION_CREATE":
		a.ensureChannel(ctx, e.RawData)
		var (
			m   bot.Mentioned
			w   *wireInteraction
			tgt *bot.Message
		)
		if m, w, tgt, err = translateInteraction(e.RawData, a.st); err == nil && w != nil {
			if tgt != nil {
				a.st.putMessage(*tgt)
			}
			a.track(ctx, w)
			evs = []bot.Event{m}
		}
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.withSpaces(ctx, evs)
	return evs, nil
}

// ensureChannel fetches a guild channel the gateway has not described (and
// a thread's parent), so visibility is known before translation.
func (a *Adapter) ensureChannel(ctx context.Context, raw json.RawMessage) {
	var w struct {
		ChannelID string `json:"channel_id"`
		GuildID   string `json:"guild_id"`
	}
	if json.Unmarshal(raw, &w) != nil || w.ChannelID == "" || w.GuildID == "" {
		return
	}
	c, ok := a.st.channel(w.ChannelID)
	if !ok {
		if c, ok = a.fetchChannel(ctx, w.ChannelID, w.GuildID); !ok {
			return
		}
	}
	if !c.isThread() || c.Parent == "" {
		return
	}
	if _, ok := a.st.channel(c.Parent); !ok {
		if _, ok := a.fetchChannel(ctx, c.Parent, w.GuildID); ok {
			// Recompute the thread's visibility now that its parent is known.
			a.st.putChannel(wireChannel{ID: c.ID, ParentID: c.Parent, Name: c.Name, Type: c.Type}, c.Guild)
		}
	}
}

func (a *Adapter) fetchChannel(ctx context.Context, id, guild string) (channelInfo, bool) {
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointChannel(id), nil,
		discordgo.EndpointChannel(""), discordgo.WithContext(ctx))
	if err != nil {
		a.log.WarnContext(ctx, "fetch channel (treated as private)", logChannel, id, logErr, err)
		return channelInfo{}, false
	}
	var wc wireChannel
	if json.Unmarshal(body, &wc) != nil || wc.ID != id {
		return channelInfo{}, false
	}
	return a.st.putChannel(wc, guild), true
}

// Post sends out to its channel (or answers its interaction), split into
// messages of at most MessageLimit characters between parts, never letting
// Discord parse a mention.
func (a *Adapter) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	r := Render(out.Doc)
	texts := r.Texts
	if len(texts) == 0 {
		return bot.MessageRef{}, errors.New("discord post: nothing to say")
	}
	if out.Interaction != "" {
		return a.answer(ctx, out, r)
	}
	var first bot.MessageRef
	for i, text := range texts {
		msg := wireSend{Content: text, AllowedMentions: noMentions(), EnforceNonce: true, Nonce: nonce()}
		if i == 0 {
			msg.Components = r.Components
		}
		if i == 0 && out.Thread != "" && out.Thread != out.Channel.ID {
			if c, ok := a.st.channel(out.Channel.ID); !ok || !c.isThread() {
				msg.Reference = &wireSendRef{MessageID: out.Thread, FailIfNotExists: false}
			}
		}
		id, err := a.send(ctx, out.Channel.ID, msg)
		if err != nil {
			return first, fmt.Errorf("discord post part %d of %d: %w", i+1, len(texts), err)
		}
		if i == 0 {
			first = bot.MessageRef{Channel: out.Channel, ID: id, Thread: out.Thread}
		}
	}
	return first, nil
}

// PostDirect sends out to a member in their direct message with the bot,
// which Discord opens (or returns, when open) for it: the bot's private
// answer where no interaction is there to answer ephemerally.
func (a *Adapter) PostDirect(ctx context.Context, to bot.User, out bot.Outgoing) (bot.MessageRef, error) {
	ch, err := a.s.UserChannelCreate(to.ID, discordgo.WithContext(ctx))
	if err != nil {
		return bot.MessageRef{}, fmt.Errorf("discord open a direct message: %w", err)
	}
	out.Channel = bot.ChannelRef{Platform: platformName, ID: ch.ID}
	out.Thread, out.Interaction, out.Ephemeral = "", "", false
	return a.Post(ctx, out)
}

type wireAllowed struct {
	Parse []string `json:"parse"`
}

// noMentions is allowed_mentions with nothing parsed: no @everyone, no role,
// no user ping, whatever the text says.
func noMentions() *wireAllowed { return &wireAllowed{Parse: []string{}} }

type wireSendRef struct {
	MessageID       string `json:"message_id"`
	FailIfNotExists bool   `json:"fail_if_not_exists"`
}

type wireSend struct {
	Content         string       `json:"content"`
	AllowedMentions *wireAllowed `json:"allowed_mentions"`
	Reference       *wireSendRef `json:"message_reference,omitempty"`
	Nonce           string       `json:"nonce,omitempty"`
	EnforceNonce    bool         `json:"enforce_nonce,omitempty"`
	Flags           int          `json:"flags,omitempty"`
	// Components are the message's buttons; an empty list (not nil) clears them.
	Components []wireComponent `json:"components,omitempty"`
}

func nonce() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// send posts one message. discordgo waits out 429s (retry_after) and keeps
// per-route buckets; a request that failed in transport is retried with
// the same nonce, which Discord's enforce_nonce turns into at most one
// message.
func (a *Adapter) send(ctx context.Context, channel string, msg wireSend) (string, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		body, err := a.s.RequestWithBucketID(http.MethodPost, discordgo.EndpointChannelMessages(channel), msg,
			discordgo.EndpointChannelMessages(channel), discordgo.WithContext(ctx))
		if err == nil {
			var m struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(body, &m)
			return m.ID, nil
		}
		lastErr = err
		var rest *discordgo.RESTError
		if errors.As(err, &rest) || ctx.Err() != nil {
			break
		}
	}
	return "", lastErr
}

// React adds the bot's reaction (the quiet acknowledgement of a capture).
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, e bot.Emoji) error {
	if e.Unicode == "" {
		return errors.New("discord react: only unicode emoji")
	}
	if err := a.s.MessageReactionAdd(ref.Channel.ID, ref.ID, e.Unicode, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord react: %w", err)
	}
	return nil
}

// Thread returns the message ref names and, when it is in a thread or a
// chain of replies, the thread's opening message first and the other
// messages seen in it. The cache answers when it can; REST on a miss.
func (a *Adapter) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	target, err := a.fetch(ctx, ref.Channel, ref.ID)
	if err != nil {
		return nil, err
	}
	if target.Ref.Thread == "" && ref.Thread != "" {
		target.Ref.Thread = ref.Thread
	}
	root := target.Ref.Root().ID
	if root == target.Ref.ID {
		msgs := a.st.threadMessages(root)
		if c, ok := a.st.channel(ref.Channel.ID); ok && c.isThread() && len(msgs) < 2 {
			if err := a.fetchRecent(ctx, c.ID); err != nil {
				a.log.WarnContext(ctx, "fetch thread messages", logChannel, c.ID, logErr, err)
			}
			msgs = a.st.threadMessages(root)
		}
		if len(msgs) == 0 || msgs[0].Ref.ID != root {
			msgs = append([]bot.Message{target}, msgs...)
		}
		return msgs, nil
	}
	first, err := a.fetch(ctx, ref.Channel, root)
	if err != nil {
		// A thread opened without a starter message, or a reply to a
		// deleted message: the reply stands on its own.
		a.log.InfoContext(ctx, "thread's opening message not found; using the message alone", logMessage, target.Ref.ID, logErr, err)
		return []bot.Message{target}, nil
	}
	out := []bot.Message{first}
	seen := false
	for _, m := range a.st.threadMessages(root) {
		if m.Ref.ID == root {
			continue
		}
		seen = seen || m.Ref.ID == target.Ref.ID
		out = append(out, m)
	}
	if !seen {
		out = append(out, target)
	}
	return out, nil
}

// fetch returns a message from the cache or, on a miss, from REST. A
// thread's opening message may live in the thread's parent channel.
func (a *Adapter) fetch(ctx context.Context, ch bot.ChannelRef, id string) (bot.Message, error) {
	if m, ok := a.st.message(id); ok {
		return m, nil
	}
	chans := []string{ch.ID}
	if c, ok := a.st.channel(ch.ID); ok && c.isThread() && id == c.ID && c.Parent != "" {
		chans = append(chans, c.Parent)
	}
	var lastErr error
	for _, cid := range chans {
		body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointChannelMessage(cid, id), nil,
			discordgo.EndpointChannelMessage(cid, ""), discordgo.WithContext(ctx))
		if err != nil {
			lastErr = err
			continue
		}
		var w wireMessage
		if err := json.Unmarshal(body, &w); err != nil || w.ID != id {
			lastErr = fmt.Errorf("unexpected message object")
			continue
		}
		if w.GuildID == "" {
			w.GuildID = ch.Space
		}
		m := toMessage(w, a.st)
		a.st.putMessage(m)
		return m, nil
	}
	return bot.Message{}, fmt.Errorf("discord fetch message %s: %w", id, lastErr)
}

// fetchRecent caches a thread channel's latest messages (one request).
func (a *Adapter) fetchRecent(ctx context.Context, channel string) error {
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointChannelMessages(channel)+"?limit=50", nil,
		discordgo.EndpointChannelMessages(channel), discordgo.WithContext(ctx))
	if err != nil {
		return err
	}
	var ws []wireMessage
	if err := json.Unmarshal(body, &ws); err != nil {
		return err
	}
	c, _ := a.st.channel(channel)
	for _, w := range ws {
		if w.Type != msgDefault && w.Type != msgReply {
			continue
		}
		if w.GuildID == "" {
			w.GuildID = c.Guild
		}
		a.st.putMessage(toMessage(w, a.st))
	}
	return nil
}
