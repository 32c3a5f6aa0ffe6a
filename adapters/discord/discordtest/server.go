// Package discordtest is a loopback Discord for tests: the REST API under
// /api/v9 on httptest and a Gateway websocket that performs HELLO,
// IDENTIFY or RESUME, READY and GUILD_CREATE, acknowledges heartbeats,
// dispatches events with increasing sequence numbers, replays missed events
// on RESUME, and can be told to send op 7, op 9, close codes, 429s, or to
// stop acknowledging heartbeats. The real discordgo client runs against it.
//
// It shards as Discord does: IDENTIFY may carry shard [id, count]; a
// guild's dispatches go only to the sessions whose shard is
// (guild_id >> 22) % count, direct messages only to shard 0, and READY
// lists (and GUILD_CREATE describes) the shard's guilds only. An invalid
// shard is closed with 4010; a shard holding more guilds than
// MaxGuildsPerShard with 4011 (sharding required).
//
// Shapes follow Discord's documentation (discord.com/developers/docs); only
// what Repertoire uses is served. Everything the bot sends is recorded.
package discordtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Intents and application flags the fake checks.
const (
	IntentMessageContent = 1 << 15
	FlagMessageContent   = 1 << 18
)

// Channel types.
const (
	TypeText          = 0
	TypeDM            = 1
	TypePublicThread  = 11
	TypePrivateThread = 12
)

// User is a member of the fake guild.
type User struct {
	ID   string
	Name string
	Bot  bool
}

// Channel is a channel of a fake guild (or a DM).
type Channel struct {
	ID      string
	Name    string
	Type    int
	Parent  string // for threads
	Private bool   // @everyone is denied VIEW_CHANNEL
	// Archived: a thread left out of GUILD_CREATE, which carries active
	// threads only (still served by GET /channels/{id}).
	Archived bool
	// Guild is the channel's guild: Server.GuildID when empty (one added
	// with AddGuild otherwise); none for a DM.
	Guild string
}

// Sent is a message the bot posted to a channel.
type Sent struct {
	ID              string
	Channel         string
	Content         string
	AllowedMentions json.RawMessage // exactly as sent; nil when absent
	ReplyTo         string
	Nonce           string
	Components      json.RawMessage // the message's buttons, as sent
	At              time.Time
}

// Response is something the bot sent in answer to an interaction.
type Response struct {
	Interaction     string
	Kind            string // "callback", "edit" or "followup"
	Type            int    // callback type (4 message, 5 deferred, 6 deferred update)
	Content         string
	Components      json.RawMessage // an edit's components, as sent
	Flags           int
	AllowedMentions json.RawMessage
	At              time.Time
}

// Reaction is a reaction the bot added.
type Reaction struct {
	Channel, Message, Emoji string
	At                      time.Time
}

type message struct {
	id, channel string
	author      User
	content     string
	replyTo     string
	typ         int
	at          time.Time
	edited      time.Time
	components  json.RawMessage
	// reactions: emoji (unicode, or "name:id" for a custom one) → the
	// members who reacted, in reaction order (the bot's own included).
	reactions map[string][]string
	emojiSeq  []string // emoji in the order they were first added
}

type interaction struct {
	id, token  string
	at         time.Time
	responded  bool
	deferredTo bool
	message    string // the message whose component was pressed
}

type dispatch struct {
	seq int64
	t   string
	d   json.RawMessage
}

type session struct {
	id      string
	seq     int64
	log     []dispatch
	intents int
	shard   [2]int // [id, count]; [0, 1] when IDENTIFY named none
	// heard is the sequence number the client's last heartbeat carried:
	// the last dispatch it had read.
	heard int64
}

// Delivered is one dispatch the fake routed to a session (replays on
// RESUME are not counted again).
type Delivered struct {
	Session string
	Shard   [2]int
	Type    string
	Guild   string // "" for a DM
	Seq     int64
}

type conn struct {
	ws     *websocket.Conn
	wmu    sync.Mutex
	sess   *session
	noAcks bool
}

func (c *conn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteJSON(v)
}

// Server is the loopback Discord.
type Server struct {
	Token   string
	AppID   string
	Bot     User
	GuildID string
	// BotRoleID is the bot's managed role in the guild (its tags name the bot).
	BotRoleID string
	// AppFlags is GET /applications/@me's flags (FlagMessageContent when
	// the Message Content intent is enabled in the portal).
	AppFlags int
	// AllowMessageContent says whether IDENTIFY may ask for the intent;
	// when false it is closed with 4014, as Discord does.
	AllowMessageContent bool
	// HeartbeatInterval is sent in HELLO.
	HeartbeatInterval time.Duration
	// AwaitTimeout bounds Await (10 s when zero).
	AwaitTimeout time.Duration

	// MaxConcurrency is GET /gateway/bot's session_start_limit.max_concurrency
	// (1 when zero): how many shards' IDENTIFYs may start together.
	MaxConcurrency int
	// MaxGuildsPerShard, when positive, closes an IDENTIFY whose shard
	// would hold more guilds with 4011 (Discord requires sharding from
	// 2,500 guilds).
	MaxGuildsPerShard int

	http *httptest.Server
	up   websocket.Upgrader

	mu           sync.Mutex
	changed      chan struct{}
	next         uint64
	channels     map[string]Channel
	msgs         map[string]*message
	sessions     map[string]*session
	live         []*conn // connections past IDENTIFY or RESUME that receive dispatches
	guilds       map[string]string
	delivered    []Delivered
	shardsSeen   [][2]int // the shard of each IDENTIFY
	sent         []Sent
	nonces       map[string]string
	responses    []Response
	reactions    []Reaction
	interactions map[string]*interaction
	commands     json.RawMessage
	fetches      map[string]int // GET routes and how often they were called
	limited      map[string][]float64
	// deliverLimited makes the next rate-limited post create its message.
	deliverLimited bool
	users          map[string]User // members seen reacting, for Get Reactions
	failing        map[string]int  // route → successful calls before one 500
	rateLimited    []time.Time
	identifies     []int // intents of each IDENTIFY
	resumes        int
	heartbeats     int
	closeNext      int
	unauthorized   int
	zombieClosed   time.Time
	outsiders      map[string]bool // users who are not members of the guild
	perms          guildPerms      // the guild's roles' permissions (doctor.go)
}

// New starts a loopback Discord, stopped when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{
		Token: "test-token", AppID: "900000000000000001", GuildID: "900000000000000100", BotRoleID: "900000000000000101",
		Bot:                 User{ID: "900000000000000002", Name: "repertoire", Bot: true},
		AppFlags:            FlagMessageContent,
		AllowMessageContent: true,
		HeartbeatInterval:   41250 * time.Millisecond,
		changed:             make(chan struct{}),
		next:                uint64(time.Now().UnixMilli()-discordEpoch) << 22,
		channels:            map[string]Channel{},
		msgs:                map[string]*message{},
		sessions:            map[string]*session{},
		guilds:              map[string]string{"900000000000000100": "Practice"},
		nonces:              map[string]string{},
		interactions:        map[string]*interaction{},
		fetches:             map[string]int{},
		outsiders:           map[string]bool{},
		limited:             map[string][]float64{},
		perms:               defaultPerms,
		users:               map[string]User{},
		failing:             map[string]int{},
	}
	s.up.CheckOrigin = func(*http.Request) bool { return true }
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// URL is the base for DISCORD_API_URL.
func (s *Server) URL() string { return s.http.URL + "/" }

// Close stops the server and its connections.
func (s *Server) Close() {
	s.mu.Lock()
	for _, c := range s.live {
		c.ws.Close()
	}
	s.live = nil
	s.mu.Unlock()
	s.http.CloseClientConnections()
	s.http.Close()
}

// NewID returns a fresh snowflake.
func (s *Server) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID()
}

func (s *Server) newID() string {
	s.next++
	return strconv.FormatUint(s.next, 10)
}

// bump wakes whoever waits for a change; call with mu held.
func (s *Server) bump() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Await waits until cond (called without the lock) holds, failing the test
// after 10 seconds. It checks on every change the fake sees and, for
// conditions on the bot's own state (its database), every 10 ms.
func (s *Server) Await(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	timeout := s.AwaitTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			tb.Fatalf("discordtest: timed out waiting for %s", what)
		}
	}
}

// AddChannel adds a guild channel, thread or DM.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Type != TypeDM && c.Guild == "" {
		c.Guild = s.GuildID
	}
	s.channels[c.ID] = c
	s.bump()
}

// AddGuild adds a guild the bot is in (beside GuildID); give its channels
// Channel.Guild. Its roles are GuildID's: @everyone and the bot's role.
func (s *Server) AddGuild(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guilds[id] = name
	s.bump()
}

// Guilds lists the bot's guilds, sorted.
func (s *Server) Guilds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.guildIDs()
}

func (s *Server) guildIDs() []string {
	var out []string
	for id := range s.guilds {
		out = append(out, id)
	}
	slices.SortFunc(out, compareSnowflakes)
	return out
}

// ShardOf is the shard Discord sends a guild's events to: (guild_id >> 22)
// % count; a DM ("") goes to shard 0.
func ShardOf(guild string, count int) int {
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil || count <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// guildOf is a channel's guild: "" for a DM, GuildID for a channel the
// fake was not told of.
func (s *Server) guildOf(channel string) string {
	return s.guildOfChannel(s.channels[channel])
}

func (s *Server) guildOfChannel(c Channel) string {
	switch {
	case c.Type == TypeDM:
		return ""
	case c.Guild == "":
		return s.GuildID
	}
	return c.Guild
}

func (s *Server) channelJSON(c Channel) map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "name": c.Name}
	if c.Type == TypeDM {
		m["recipients"] = []any{}
		delete(m, "name")
		return m
	}
	m["guild_id"] = s.guildOfChannel(c)
	if c.Parent != "" {
		m["parent_id"] = c.Parent
	}
	ow := []any{}
	if c.Private {
		ow = append(ow, map[string]any{"id": s.guildOfChannel(c), "type": 0, "allow": "0", "deny": "1024"})
	}
	if c.Type != TypePublicThread && c.Type != TypePrivateThread {
		m["permission_overwrites"] = ow
	}
	return m
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "username": strings.ToLower(u.Name), "global_name": u.Name, "discriminator": "0", "bot": u.Bot}
}

var (
	mentionRE     = regexp.MustCompile(`<@!?(\d+)>`)
	roleMentionRE = regexp.MustCompile(`<@&(\d+)>`)
)

// messageJSON is a message object; content is blanked as Discord does for a
// session without the Message Content intent (except DMs and messages
// mentioning the bot).
func (s *Server) messageJSON(m *message, contentIntent bool) map[string]any {
	c := s.channels[m.channel]
	out := map[string]any{
		"id": m.id, "channel_id": m.channel, "author": userJSON(m.author), "content": m.content,
		"timestamp": m.at.UTC().Format(time.RFC3339Nano), "edited_timestamp": nil, "type": m.typ,
		"tts": false, "mention_everyone": false, "mention_roles": []any{}, "attachments": []any{}, "embeds": []any{}, "pinned": false,
	}
	mentions, roles := []any{}, []any{}
	for _, sm := range roleMentionRE.FindAllStringSubmatch(m.content, -1) {
		roles = append(roles, sm[1])
	}
	out["mention_roles"] = roles
	botMentioned := len(roles) > 0 && strings.Contains(m.content, "<@&"+s.BotRoleID+">")
	for _, sm := range mentionRE.FindAllStringSubmatch(m.content, -1) {
		if sm[1] == s.Bot.ID {
			mentions = append(mentions, userJSON(s.Bot))
			botMentioned = true
		}
	}
	out["mentions"] = mentions
	if c.Type != TypeDM {
		out["guild_id"] = s.guildOfChannel(c)
	}
	if !m.edited.IsZero() {
		out["edited_timestamp"] = m.edited.UTC().Format(time.RFC3339Nano)
	}
	if rs := s.reactionsJSON(m); len(rs) > 0 {
		out["reactions"] = rs
	}
	if !contentIntent && c.Type != TypeDM && !botMentioned && m.author.ID != s.Bot.ID {
		out["content"] = ""
	}
	if m.replyTo != "" {
		out["message_reference"] = map[string]any{"message_id": m.replyTo, "channel_id": m.channel, "guild_id": s.guildOfChannel(c)}
		if p, ok := s.msgs[m.replyTo]; ok {
			out["referenced_message"] = s.messageJSON(p, contentIntent)
		}
	}
	return out
}

// contentIntent is whether the bot's sessions asked for the Message
// Content intent (they all ask alike); true before any connects.
func (s *Server) contentIntent() bool {
	for _, c := range s.live {
		if c.sess != nil {
			return c.sess.intents&IntentMessageContent != 0
		}
	}
	return true
}

// Post makes author post content in channel and dispatches MESSAGE_CREATE.
// replyTo, when not empty, makes it a reply. It returns the message ID.
func (s *Server) Post(author User, channel, content, replyTo string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.post(author, channel, content, replyTo)
}

// PostAt stores a message posted at a past time (before the bot ran),
// without any dispatch, and returns its ID: a snowflake of that time.
func (s *Server) PostAt(author User, channel, content string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := (uint64(at.UnixMilli()-discordEpoch) << 22) | (s.next & 0x3fffff)
	s.next++
	m := &message{id: strconv.FormatUint(id, 10), channel: channel, author: author, content: content, at: at}
	s.msgs[m.id] = m
	s.bump()
	return m.id
}

// discordEpoch is the first millisecond of 2015, where snowflakes count from.
const discordEpoch = 1420070400000

func (s *Server) post(author User, channel, content, replyTo string) string {
	m := &message{id: s.newID(), channel: channel, author: author, content: content, replyTo: replyTo, at: time.Now()}
	if replyTo != "" {
		m.typ = 19
	}
	s.msgs[m.id] = m
	s.dispatchLocked("MESSAGE_CREATE", s.messageJSON(m, s.contentIntent()))
	return m.id
}

// Edit changes a message's text and dispatches MESSAGE_UPDATE.
func (s *Server) Edit(id, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	m.content = content
	m.edited = time.Now()
	d := s.messageJSON(m, s.contentIntent())
	s.dispatchLocked("MESSAGE_UPDATE", d)
}

// Delete removes a message and dispatches MESSAGE_DELETE.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	delete(s.msgs, id)
	s.dispatchLocked("MESSAGE_DELETE", withGuild(map[string]any{"id": id, "channel_id": m.channel}, s.guildOf(m.channel)))
}

// DeleteBulk removes messages of one channel and dispatches MESSAGE_DELETE_BULK.
func (s *Server) DeleteBulk(channel string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.msgs, id)
	}
	s.dispatchLocked("MESSAGE_DELETE_BULK", withGuild(map[string]any{"ids": ids, "channel_id": channel}, s.guildOf(channel)))
}

// React dispatches MESSAGE_REACTION_ADD (or _REMOVE when remove) by user.
// A custom emoji is given as "name:id".
func (s *Server) React(user User, channel, msg, emoji string, remove bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := map[string]any{"id": nil, "name": emoji}
	if name, id, ok := strings.Cut(emoji, ":"); ok {
		e = map[string]any{"id": id, "name": name, "animated": false}
	}
	d := map[string]any{"user_id": user.ID, "channel_id": channel, "message_id": msg, "emoji": e}
	if c := s.channels[channel]; c.Type != TypeDM {
		d["guild_id"] = s.guildOfChannel(c)
	}
	s.users[user.ID] = user
	if m, ok := s.msgs[msg]; ok {
		m.react(emoji, user.ID, !remove)
	}
	t := "MESSAGE_REACTION_REMOVE"
	if !remove {
		t = "MESSAGE_REACTION_ADD"
		if m, ok := s.msgs[msg]; ok {
			d["message_author_id"] = m.author.ID
		}
		if d["guild_id"] != nil {
			d["member"] = map[string]any{"user": userJSON(user), "roles": []any{}, "nick": nil}
		}
		d["burst"] = false
		d["type"] = 0
	}
	s.dispatchLocked(t, d)
}

// Option is a slash command option: name and string value, or a
// subcommand with options.
type Option struct {
	Name    string
	Value   string
	Sub     bool
	Options []Option
}

func optionsJSON(opts []Option) []any {
	out := []any{}
	for _, o := range opts {
		if o.Sub {
			out = append(out, map[string]any{"name": o.Name, "type": 1, "options": optionsJSON(o.Options)})
			continue
		}
		out = append(out, map[string]any{"name": o.Name, "type": 3, "value": o.Value})
	}
	return out
}

// Command dispatches INTERACTION_CREATE for a slash command by user in
// channel and returns the interaction ID.
func (s *Server) Command(user User, channel, name string, opts ...Option) string {
	return s.interact(user, channel, map[string]any{"id": s.NewID(), "name": name, "type": 1, "options": optionsJSON(opts)})
}

// MessageCommand dispatches INTERACTION_CREATE for a message context-menu
// command on target. Discord includes the target's content even without
// the Message Content intent.
func (s *Server) MessageCommand(user User, channel, name, target string) string {
	s.mu.Lock()
	m := s.msgs[target]
	var resolved map[string]any
	if m != nil {
		resolved = map[string]any{target: s.messageJSON(m, true)}
	}
	s.mu.Unlock()
	return s.interact(user, channel, map[string]any{"id": s.NewID(), "name": name, "type": 3, "target_id": target,
		"resolved": map[string]any{"messages": resolved}})
}

func (s *Server) interact(user User, channel string, data map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &interaction{id: s.newID(), token: "itoken-" + s.newID(), at: time.Now()}
	s.interactions[it.id] = it
	c := s.channels[channel]
	d := map[string]any{"id": it.id, "application_id": s.AppID, "type": 2, "token": it.token, "version": 1,
		"channel_id": channel, "channel": map[string]any{"id": channel, "type": c.Type}, "data": data,
		"app_permissions": "0", "locale": "en-US", "entitlements": []any{}}
	if c.Type == TypeDM {
		d["user"] = userJSON(user)
	} else {
		d["guild_id"] = s.guildOfChannel(c)
		d["member"] = map[string]any{"user": userJSON(user), "roles": []any{}, "nick": nil, "permissions": "0"}
	}
	s.dispatchLocked("INTERACTION_CREATE", d)
	return it.id
}

// InteractionAt is when the interaction was dispatched.
func (s *Server) InteractionAt(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interactions[id].at
}

// Outsider makes a user not a member of the guild: GET guilds/{}/members/{}
// answers 404 Unknown Member for them. Every other user is a member.
func (s *Server) Outsider(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outsiders[userID] = true
}

// Dispatch sends any dispatch (t, d) to the sessions of the shard its
// guild (d's guild_id, or id for GUILD_* events) belongs to.
func (s *Server) Dispatch(t string, d any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(t, d)
}

// DispatchRaw sends d as it is, even if it is not valid for t.
func (s *Server) DispatchRaw(t string, d json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(t, d)
}

// withGuild sets d's guild_id unless the channel is a DM's.
func withGuild(d map[string]any, guild string) map[string]any {
	if guild != "" {
		d["guild_id"] = guild
	}
	return d
}

// routeGuild is the guild a dispatch belongs to: its guild_id, or its id
// for the GUILD_* events that describe a guild; "" for a DM.
func routeGuild(t string, raw json.RawMessage) string {
	var g struct {
		ID      string `json:"id"`
		GuildID string `json:"guild_id"`
	}
	_ = json.Unmarshal(raw, &g)
	if g.GuildID == "" && strings.HasPrefix(t, "GUILD_") {
		return g.ID
	}
	return g.GuildID
}

// dispatchLocked routes a dispatch as Discord does: to every current
// session whose shard is the guild's (shard 0 for a DM). Each session logs
// it (replayed on RESUME) and a live connection of the session gets it now.
func (s *Server) dispatchLocked(t string, d any) {
	raw, ok := d.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(d); err != nil {
			panic(err) // test data only
		}
	}
	guild := routeGuild(t, raw)
	for _, sess := range s.current() {
		if ShardOf(guild, sess.shard[1]) == sess.shard[0] {
			s.sendTo(sess, t, raw)
			s.delivered = append(s.delivered, Delivered{Session: sess.id, Shard: sess.shard, Type: t, Guild: guild, Seq: sess.seq})
		}
	}
	s.bump()
}

// sendTo appends a dispatch to one session's log and sends it on the
// session's live connection, if any.
func (s *Server) sendTo(sess *session, t string, raw json.RawMessage) {
	sess.seq++
	ev := dispatch{seq: sess.seq, t: t, d: raw}
	sess.log = append(sess.log, ev)
	for _, c := range s.live {
		if c.sess == sess {
			_ = c.write(frame(ev))
		}
	}
}

// current lists the sessions that get dispatches: every session with a
// live connection (two processes running one shard both hear its guilds,
// as on Discord), and the latest of each shard, which keeps what it misses
// for a RESUME (a new IDENTIFY of a shard replaces a disconnected older
// session, as a restarted bot's does).
func (s *Server) current() []*session {
	latest := map[[2]int]*session{}
	for _, ss := range s.sessions {
		if l := latest[ss.shard]; l == nil || compareSnowflakes(ss.id, l.id) > 0 {
			latest[ss.shard] = ss
		}
	}
	out := make([]*session, 0, len(latest))
	for _, ss := range latest {
		out = append(out, ss)
	}
	for _, c := range s.live {
		if c.sess != nil && !slices.Contains(out, c.sess) {
			out = append(out, c.sess)
		}
	}
	slices.SortFunc(out, func(a, b *session) int { return compareSnowflakes(a.id, b.id) })
	return out
}

// Deliveries returns every dispatch routed to a session so far.
func (s *Server) Deliveries() []Delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivered(nil), s.delivered...)
}

func frame(ev dispatch) map[string]any {
	return map[string]any{"op": 0, "s": ev.seq, "t": ev.t, "d": ev.d}
}

// react adds (or removes) one member's emoji on the message.
func (m *message) react(emoji, user string, add bool) {
	if m.reactions == nil {
		m.reactions = map[string][]string{}
	}
	users := m.reactions[emoji]
	i := slices.Index(users, user)
	switch {
	case add && i < 0:
		if len(users) == 0 && !slices.Contains(m.emojiSeq, emoji) {
			m.emojiSeq = append(m.emojiSeq, emoji)
		}
		m.reactions[emoji] = append(users, user)
	case !add && i >= 0:
		m.reactions[emoji] = slices.Delete(users, i, i+1)
	}
}

// reactionsJSON is a message's reactions array: one object per emoji with
// its count and whether the bot is among them, as Discord sends it.
func (s *Server) reactionsJSON(m *message) []any {
	var out []any
	for _, e := range m.emojiSeq {
		users := m.reactions[e]
		if len(users) == 0 {
			continue
		}
		emoji := map[string]any{"id": nil, "name": e}
		if name, id, ok := strings.Cut(e, ":"); ok {
			emoji = map[string]any{"id": id, "name": name}
		}
		out = append(out, map[string]any{"count": len(users), "count_details": map[string]any{"burst": 0, "normal": len(users)},
			"me": slices.Contains(users, s.Bot.ID), "me_burst": false, "burst_colors": []any{}, "emoji": emoji})
	}
	return out
}

// ReactQuietly changes a reaction without any dispatch: what members do
// while the bot is not connected.
func (s *Server) ReactQuietly(user User, msg, emoji string, remove bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[user.ID] = user
	if m, ok := s.msgs[msg]; ok {
		m.react(emoji, user.ID, !remove)
	}
	s.bump()
}

// EditQuietly changes a message's text without any dispatch.
func (s *Server) EditQuietly(id, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.msgs[id]; ok {
		m.content, m.edited = content, time.Now()
	}
	s.bump()
}

// DeleteQuietly removes a message without any dispatch.
func (s *Server) DeleteQuietly(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.msgs, id)
	s.bump()
}

// Messages returns the IDs of a channel's messages, oldest first.
func (s *Server) Messages(channel string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, m := range s.msgs {
		if m.channel == channel {
			ids = append(ids, m.id)
		}
	}
	slices.SortFunc(ids, compareSnowflakes)
	return ids
}

func compareSnowflakes(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
