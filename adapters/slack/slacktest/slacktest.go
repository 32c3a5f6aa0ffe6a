// Package slacktest is a loopback Slack for tests: a Web API on httptest
// that checks tokens and answers with Slack's documented payload shapes and
// error bodies (and 429 with Retry-After on demand), a Socket Mode websocket
// that sends hello, envelopes, pings and disconnects, records acks and
// redelivers unacked envelopes, and a signer for Events API requests. The
// real slack-go client runs against it.
package slacktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Message is a message as the fake stores it.
type Message struct {
	Channel   string
	TS        string
	ThreadTS  string
	User      string
	BotID     string
	Text      string
	LinkNames string              // the link_names field the poster sent
	Blocks    json.RawMessage     // Block Kit blocks, as posted or updated
	Reactions map[string][]string // name → users
	EditedTS  string              // when the text was last edited
}

// Response is a post to a command's response_url.
type Response struct {
	ID   string
	Body map[string]any
}

type rateRule struct {
	n          int
	retryAfter int
	delivered  bool // post the message before answering 429
}

type envelope struct {
	sentAt  time.Time
	ID      string
	Type    string
	Payload json.RawMessage
	Retry   int
}

// Server is the loopback Slack.
type Server struct {
	URL                                      string // Web API base, ending in "/"
	BotToken, AppToken, Team, BotUser, BotID string
	PingEvery                                time.Duration
	// MaxPage caps the messages one conversations.history or
	// conversations.replies call returns, whatever limit asks: Slack
	// returns at most 15 to new non-Marketplace apps. 999 when zero.
	MaxPage int

	srv *httptest.Server
	t   testing.TB

	mu        sync.Mutex
	seq       int
	lastTS    time.Time
	channels  map[string]bool     // id → private
	members   map[string][]string // channel id → member IDs (conversations.members)
	msgs      map[string][]*Message
	calls     map[string][]url.Values
	callTimes map[string][]time.Time
	limits    map[string]*rateRule
	responses []Response
	pending   map[string]*envelope
	sent      map[string]*envelope
	conn      *wsConn
	connects  int
	pingsOff  bool
	acks      chan string
	connected chan int
	ackTimes  []time.Duration
	called    chan struct{} // a signal after each Web API call
	scopes    []string      // the bot token's granted scopes (X-OAuth-Scopes)
}

type wsConn struct {
	c    *websocket.Conn
	wmu  sync.Mutex
	done chan struct{}
}

func (w *wsConn) write(v any) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.c.WriteJSON(v)
}

// New starts a loopback Slack, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		BotToken: "xoxb-test", AppToken: "xapp-test", Team: "T0001", BotUser: "UBOT", BotID: "BBOT",
		PingEvery: 200 * time.Millisecond, t: t,
		channels: map[string]bool{}, msgs: map[string][]*Message{}, calls: map[string][]url.Values{}, callTimes: map[string][]time.Time{},
		limits: map[string]*rateRule{}, pending: map[string]*envelope{}, sent: map[string]*envelope{},
		acks: make(chan string, 1024), called: make(chan struct{}, 1), connected: make(chan int, 64),
		scopes: append([]string(nil), DefaultScopes...),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/ws", s.socket)
	mux.HandleFunc("/response/", s.response)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/api/"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops the socket.
func (s *Server) Close() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.c.Close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetMembers declares who is in a channel, for conversations.members.
func (s *Server) SetMembers(channel string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members == nil {
		s.members = map[string][]string{}
	}
	s.members[channel] = users
}

// AddChannel declares a channel (IDs starting with D are DMs).
func (s *Server) AddChannel(id string, private bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = private || strings.HasPrefix(id, "D")
}

// nextTS returns a unique, increasing ts near the current time, at least
// a millisecond after the one before: the store keeps message times in
// milliseconds, and on Slack two messages that follow one another (a
// question, the bot's answer, the member's next question) are never
// within the same millisecond, while the fake answers in microseconds.
func (s *Server) nextTS() string {
	now := time.Now()
	if now.Before(s.lastTS.Add(time.Millisecond)) {
		now = s.lastTS.Add(time.Millisecond)
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
}

// Say stores a member's message and returns its ts and its message event.
func (s *Server) Say(channel, user, text, thread string) (string, map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, TS: s.nextTS(), ThreadTS: thread, User: user, Text: text}
	s.msgs[channel] = append(s.msgs[channel], m)
	ev := s.messageJSON(m)
	ev["channel"] = channel
	ev["channel_type"] = s.channelType(channel)
	ev["event_ts"] = m.TS
	return m.TS, ev
}

// Edit changes a stored message and returns the message_changed event.
func (s *Server) Edit(channel, ts, text string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.find(channel, ts)
	if m == nil {
		s.t.Errorf("slacktest: edit of unknown message %s", ts)
		return nil
	}
	prev := s.messageJSON(m)
	m.Text = text
	now := s.nextTS()
	m.EditedTS = now
	return map[string]any{"type": "message", "subtype": "message_changed", "hidden": true, "channel": channel,
		"channel_type": s.channelType(channel), "ts": now, "event_ts": now,
		"message": s.messageJSON(m), "previous_message": prev}
}

// Delete removes a stored message and returns the message_deleted event.
func (s *Server) Delete(channel, ts string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.find(channel, ts)
	prev := map[string]any{}
	if m != nil {
		prev = s.messageJSON(m)
		list := s.msgs[channel]
		for i := range list {
			if list[i] == m {
				s.msgs[channel] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
	}
	now := s.nextTS()
	return map[string]any{"type": "message", "subtype": "message_deleted", "hidden": true, "channel": channel,
		"channel_type": s.channelType(channel), "ts": now, "deleted_ts": ts, "event_ts": now, "previous_message": prev}
}

// React records a member's reaction and returns the reaction_added event.
func (s *Server) React(channel, ts, user, name string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	itemUser := ""
	if m := s.find(channel, ts); m != nil {
		if m.Reactions == nil {
			m.Reactions = map[string][]string{}
		}
		m.Reactions[name] = append(m.Reactions[name], user)
		itemUser = m.User
	}
	return map[string]any{"type": "reaction_added", "user": user, "reaction": name, "item_user": itemUser,
		"item": map[string]any{"type": "message", "channel": channel, "ts": ts}, "event_ts": s.nextTS()}
}

// Mention stores a message mentioning the bot and returns its app_mention event.
func (s *Server) Mention(channel, user, text, thread string) (string, map[string]any) {
	ts, ev := s.Say(channel, user, "<@"+s.BotUser+"> "+text, thread)
	ev["type"] = "app_mention"
	delete(ev, "channel_type") // app_mention carries none
	return ts, ev
}

func (s *Server) channelType(ch string) string {
	switch {
	case strings.HasPrefix(ch, "D"):
		return "im"
	case s.channels[ch]:
		return "group"
	}
	return "channel"
}

func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.msgs[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "team": s.Team}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
	}
	if m.EditedTS != "" {
		out["edited"] = map[string]any{"user": m.User, "ts": m.EditedTS}
	}
	if m.ThreadTS == "" || m.ThreadTS == m.TS {
		// A thread's parent says how many replies it has and the latest.
		n, latest := 0, ""
		for _, x := range s.msgs[m.Channel] {
			if x.ThreadTS == m.TS && x.TS != m.TS {
				n, latest = n+1, x.TS
			}
		}
		if n > 0 {
			out["thread_ts"], out["reply_count"], out["latest_reply"] = m.TS, n, latest
		}
	}
	var rs []map[string]any
	names := make([]string, 0, len(m.Reactions))
	for name := range m.Reactions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if users := m.Reactions[name]; len(users) > 0 {
			rs = append(rs, map[string]any{"name": name, "users": users, "count": len(users)})
		}
	}
	if len(rs) > 0 {
		out["reactions"] = rs
	}
	return out
}

// Callback wraps an inner event as Slack's event_callback, with a new event_id.
func (s *Server) Callback(inner map[string]any) (eventID string, body []byte) {
	s.mu.Lock()
	s.seq++
	eventID = fmt.Sprintf("Ev%08d", s.seq)
	s.mu.Unlock()
	body, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": s.Team, "api_app_id": "A0001", "event": inner, "type": "event_callback",
		"event_id": eventID, "event_time": time.Now().Unix(),
		"authorizations": []map[string]any{{"team_id": s.Team, "user_id": s.BotUser, "is_bot": true}},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return eventID, body
}

// Uninstalled returns the app_uninstalled event.
func (s *Server) Uninstalled() map[string]any { return map[string]any{"type": "app_uninstalled"} }

// Slash returns a /repertoire command payload and the response_url it names.
func (s *Server) Slash(channel, channelName, user, text string) (map[string]any, string) {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	resp := fmt.Sprintf("%s/response/%d", s.srv.URL, n)
	return map[string]any{"token": "legacy", "team_id": s.Team, "team_domain": "fake", "channel_id": channel,
		"channel_name": channelName, "user_id": user, "user_name": strings.ToLower(user), "command": "/repertoire",
		"text": text, "api_app_id": "A0001", "response_url": resp, "trigger_id": fmt.Sprintf("%d.1.abc", n)}, resp
}

// Sign returns the headers Slack sends with an Events API request.
func Sign(secret string, body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	h.Set("Content-Type", "application/json")
	return h
}

// RateLimit makes the next n calls of method answer 429 with Retry-After
// seconds. With delivered, chat.postMessage stores the message first, as
// Slack sometimes does.
func (s *Server) RateLimit(method string, n, retryAfter int, delivered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = &rateRule{n: n, retryAfter: retryAfter, delivered: delivered}
}

// Calls returns the forms sent to a Web API method.
func (s *Server) Calls(method string) []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.calls[method]...)
}

// WaitCalls waits until method has been called at least n times.
func (s *Server) WaitCalls(method string, n int, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		if len(s.Calls(method)) >= n {
			return nil
		}
		select {
		case <-s.called:
		case <-deadline:
			return fmt.Errorf("slacktest: %s called %d times within %s, want %d", method, len(s.Calls(method)), timeout, n)
		}
	}
}

// CallTimes returns when each call of a Web API method arrived.
func (s *Server) CallTimes(method string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.callTimes[method]...)
}

// BotMessages returns what the bot posted in a channel, oldest first.
func (s *Server) BotMessages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs[channel] {
		if m.User == s.BotUser {
			out = append(out, *m)
		}
	}
	return out
}

// Responses returns what was posted to response_urls.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if err := r.ParseForm(); err != nil {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	form := r.Form
	token := form.Get("token")
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = b
	}
	want := s.BotToken
	if method == "apps.connections.open" {
		want = s.AppToken
	}
	if token == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	if token != want {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if token == s.BotToken {
		w.Header().Set("X-OAuth-Scopes", strings.Join(s.scopes, ","))
	}
	s.calls[method] = append(s.calls[method], form)
	s.callTimes[method] = append(s.callTimes[method], time.Now())
	select {
	case s.called <- struct{}{}:
	default:
	}
	if rule := s.limits[method]; rule != nil && rule.n > 0 {
		rule.n--
		if rule.delivered && method == "chat.postMessage" {
			s.post(form)
		}
		w.Header().Set("Retry-After", strconv.Itoa(rule.retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		writeJSON(w, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	switch method {
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		if why := invalidBlocks(form.Get("blocks")); why != "" {
			s.t.Logf("slacktest: %s refused: %s", method, why)
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks", "errors": []string{why}})
			return
		}
	}
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://fake.slack.com/", "team": "Fake", "user": "repertoire",
			"team_id": s.Team, "user_id": s.BotUser, "bot_id": s.BotID})
	case "apps.connections.open":
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws?ticket=" + strconv.Itoa(s.connects+1)})
	case "chat.postMessage":
		if _, ok := s.channels[form.Get("channel")]; !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		m := s.post(form)
		writeJSON(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "message": s.messageJSON(m)})
	case "chat.update":
		m := s.find(form.Get("channel"), form.Get("ts"))
		if m == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		if m.User != s.BotUser {
			writeJSON(w, map[string]any{"ok": false, "error": "cant_update_message"})
			return
		}
		if form.Has("text") {
			m.Text = form.Get("text")
		}
		if b := form.Get("blocks"); b != "" {
			m.Blocks = json.RawMessage(b)
		}
		writeJSON(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text})
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": s.nextTS()})
	case "chat.getPermalink":
		ch, ts := form.Get("channel"), form.Get("message_ts")
		m := s.find(ch, ts)
		if m == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		link := "https://fake.slack.com/archives/" + ch + "/p" + strings.ReplaceAll(ts, ".", "")
		if m.ThreadTS != "" && m.ThreadTS != ts {
			link += "?thread_ts=" + m.ThreadTS + "&cid=" + ch
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "permalink": link})
	case "reactions.add":
		m := s.find(form.Get("channel"), form.Get("timestamp"))
		if m == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		name := form.Get("name")
		for _, u := range m.Reactions[name] {
			if u == s.BotUser {
				writeJSON(w, map[string]any{"ok": false, "error": "already_reacted"})
				return
			}
		}
		if m.Reactions == nil {
			m.Reactions = map[string][]string{}
		}
		m.Reactions[name] = append(m.Reactions[name], s.BotUser)
		writeJSON(w, map[string]any{"ok": true})
	case "conversations.replies":
		ch, ts := form.Get("channel"), form.Get("ts")
		m := s.find(ch, ts)
		if m == nil {
			writeJSON(w, map[string]any{"ok": false, "error": "thread_not_found"})
			return
		}
		root := m.TS
		if m.ThreadTS != "" {
			root = m.ThreadTS
		}
		var parent *Message
		var replies []*Message
		for _, x := range s.msgs[ch] {
			switch {
			case x.TS == root:
				parent = x
			case x.ThreadTS == root && inRange(x.TS, form):
				replies = append(replies, x)
			}
		}
		// Oldest first, the parent at the head of every page.
		page, next := s.pageOf(replies, form, 1000)
		out := []map[string]any{s.messageJSON(parent)}
		for _, x := range page {
			out = append(out, s.messageJSON(x))
		}
		writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "",
			"response_metadata": map[string]any{"next_cursor": next}})
	case "conversations.history":
		ch := form.Get("channel")
		// Newest first: channel-level messages only (replies come with
		// conversations.replies).
		var list []*Message
		all := s.msgs[ch]
		for i := len(all) - 1; i >= 0; i-- {
			x := all[i]
			if (x.ThreadTS == "" || x.ThreadTS == x.TS) && inRange(x.TS, form) {
				list = append(list, x)
			}
		}
		page, next := s.pageOf(list, form, 100)
		out := []map[string]any{}
		for _, x := range page {
			out = append(out, s.messageJSON(x))
		}
		writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "", "pin_count": 0,
			"response_metadata": map[string]any{"next_cursor": next}})
	case "users.info":
		u := form.Get("user")
		if u == "" || strings.HasPrefix(u, "X") {
			writeJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": u, "team_id": s.Team, "name": strings.ToLower(u),
			"real_name": "Member " + u, "is_bot": u == s.BotUser, "profile": map[string]any{"display_name": "Member " + u, "real_name": "Member " + u}}})
	case "conversations.members":
		// Pages of two, so that callers must follow the cursor.
		ch := form.Get("channel")
		if _, ok := s.channels[ch]; !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		all := s.members[ch]
		from, _ := strconv.Atoi(form.Get("cursor"))
		from = min(max(from, 0), len(all))
		to := min(from+2, len(all))
		next := ""
		if to < len(all) {
			next = strconv.Itoa(to)
		}
		writeJSON(w, map[string]any{"ok": true, "members": append([]string{}, all[from:to]...),
			"response_metadata": map[string]any{"next_cursor": next}})
	case "conversations.info":
		ch := form.Get("channel")
		private, ok := s.channels[ch]
		if !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		im := strings.HasPrefix(ch, "D")
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": ch, "is_channel": !private, "is_group": private && !im,
			"is_im": im, "is_private": private}})
	default:
		if !s.moreMethods(w, method, form) {
			writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
		}
	}
}

// post stores a message the bot sent (mu held).
func (s *Server) post(form url.Values) *Message {
	m := &Message{Channel: form.Get("channel"), TS: s.nextTS(), ThreadTS: form.Get("thread_ts"), User: s.BotUser, BotID: s.BotID,
		Text: form.Get("text"), LinkNames: form.Get("link_names")}
	if b := form.Get("blocks"); b != "" {
		m.Blocks = json.RawMessage(b)
	}
	s.msgs[m.Channel] = append(s.msgs[m.Channel], m)
	return m
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if b, ok := body["blocks"]; ok {
		raw, _ := json.Marshal(b)
		if why := invalidBlocks(string(raw)); why != "" {
			s.t.Logf("slacktest: response refused: %s", why)
			http.Error(w, "invalid_blocks", http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	s.responses = append(s.responses, Response{ID: strings.TrimPrefix(r.URL.Path, "/response/"), Body: body})
	s.mu.Unlock()
	w.Write([]byte("ok"))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

var upgrader = websocket.Upgrader{
	// slack-go sends Origin: https://api.slack.com; the default check refuses it.
	CheckOrigin: func(*http.Request) bool { return true },
}

func (s *Server) socket(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c, done: make(chan struct{})}
	s.mu.Lock()
	old := s.conn
	s.conn = conn
	s.connects++
	n := s.connects
	// Unacked envelopes are redelivered on the new connection.
	var redo []*envelope
	for _, e := range s.pending {
		e.Retry++
		redo = append(redo, e)
	}
	sort.Slice(redo, func(i, j int) bool { return redo[i].ID < redo[j].ID })
	frames := make([]map[string]any, len(redo))
	for i, e := range redo {
		frames[i] = e.frame()
	}
	s.mu.Unlock()
	if old != nil {
		old.c.Close()
	}
	if err := conn.write(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0001"}, "debug_info": map[string]any{"host": "slacktest"}}); err != nil {
		return
	}
	for _, f := range frames {
		_ = conn.write(f)
	}
	s.connected <- n
	go s.pinger(conn)
	defer close(conn.done)
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := c.ReadJSON(&ack); err != nil {
			return
		}
		now := time.Now()
		s.mu.Lock()
		if e := s.pending[ack.EnvelopeID]; e != nil {
			s.ackTimes = append(s.ackTimes, now.Sub(e.sentAt))
		}
		delete(s.pending, ack.EnvelopeID)
		s.mu.Unlock()
		select {
		case s.acks <- ack.EnvelopeID:
		default:
		}
	}
}

func (s *Server) pinger(conn *wsConn) {
	t := time.NewTicker(s.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-conn.done:
			return
		case <-t.C:
			s.mu.Lock()
			off := s.pingsOff
			s.mu.Unlock()
			if off {
				continue
			}
			conn.wmu.Lock()
			err := conn.c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
			conn.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// frame is the envelope as sent; called with Server.mu held.
func (e *envelope) frame() map[string]any {
	f := map[string]any{"envelope_id": e.ID, "type": e.Type, "payload": e.Payload,
		"accepts_response_payload": e.Type != "events_api", "retry_attempt": e.Retry}
	if e.Retry > 0 {
		f["retry_reason"] = "timeout"
	}
	return f
}

// Envelope sends a payload over Socket Mode (type events_api or
// slash_commands) and returns its envelope ID. It stays pending until acked.
func (s *Server) Envelope(typ string, payload []byte) string {
	s.mu.Lock()
	s.seq++
	e := &envelope{ID: fmt.Sprintf("env-%08d", s.seq), Type: typ, Payload: payload}
	s.pending[e.ID] = e
	s.sent[e.ID] = e
	conn := s.conn
	frame := e.frame()
	e.sentAt = time.Now()
	s.mu.Unlock()
	if conn != nil {
		_ = conn.write(frame)
	}
	return e.ID
}

// Event sends an inner event as an events_api envelope; it returns the
// event_id and envelope_id.
func (s *Server) Event(inner map[string]any) (eventID, envelopeID string) {
	eventID, body := s.Callback(inner)
	return eventID, s.Envelope("events_api", body)
}

// Redeliver sends an envelope again with retry_attempt+1, as Slack does
// when an ack did not arrive in time.
func (s *Server) Redeliver(envelopeID string) {
	s.mu.Lock()
	e := s.sent[envelopeID]
	if e == nil {
		s.mu.Unlock()
		s.t.Errorf("slacktest: no envelope %s", envelopeID)
		return
	}
	e.Retry++
	conn := s.conn
	frame := e.frame()
	s.mu.Unlock()
	if conn != nil {
		_ = conn.write(frame)
	}
}

// Raw sends a frame as it is (malformed envelopes).
func (s *Server) Raw(frame string) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		conn.wmu.Lock()
		_ = conn.c.WriteMessage(websocket.TextMessage, []byte(frame))
		conn.wmu.Unlock()
	}
}

// Disconnect sends a disconnect envelope (reason refresh_requested, warning…).
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		_ = conn.write(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "slacktest"}})
	}
}

// Drop closes the websocket without a close frame.
func (s *Server) Drop() {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		conn.c.UnderlyingConn().Close()
	}
}

// StopPings stops (or, with false, resumes) websocket pings.
func (s *Server) StopPings(stop bool) {
	s.mu.Lock()
	s.pingsOff = stop
	s.mu.Unlock()
}

// WaitConnected waits for the n-th Socket Mode connection's hello.
func (s *Server) WaitConnected(n int, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case got := <-s.connected:
			if got >= n {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("slacktest: no connection #%d within %s", n, timeout)
		}
	}
}

// WaitAck waits for an envelope's ack.
func (s *Server) WaitAck(envelopeID string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		if s.Acked(envelopeID) {
			return nil
		}
		select {
		case <-s.acks:
		case <-deadline:
			return fmt.Errorf("slacktest: envelope %s not acked within %s", envelopeID, timeout)
		}
	}
}

// AckTimes returns, for each envelope acked on first delivery, the time
// from the fake writing it to the fake reading its ack.
func (s *Server) AckTimes() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ackTimes...)
}

// Acked reports whether an envelope was acked (no longer pending).
func (s *Server) Acked(envelopeID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, pending := s.pending[envelopeID]
	return !pending && s.sent[envelopeID] != nil
}

// inRange applies oldest and latest (exclusive unless inclusive) to a ts.
func inRange(ts string, form url.Values) bool {
	incl := form.Get("inclusive") == "true" || form.Get("inclusive") == "1"
	if o := form.Get("oldest"); o != "" {
		if c := compareTS(ts, o); c < 0 || (c == 0 && !incl) {
			return false
		}
	}
	if l := form.Get("latest"); l != "" {
		if c := compareTS(ts, l); c > 0 || (c == 0 && !incl) {
			return false
		}
	}
	return true
}

// pageOf returns the page of list the cursor and limit select, and the
// next cursor ("" on the last page). Cursors are opaque to clients: here
// the base64 of the offset, as Slack's look.
func (s *Server) pageOf(list []*Message, form url.Values, def int) ([]*Message, string) {
	limit := def
	if l, err := strconv.Atoi(form.Get("limit")); err == nil && l > 0 {
		limit = min(l, 999)
	}
	if s.MaxPage > 0 {
		limit = min(limit, s.MaxPage)
	}
	from := 0
	if c := form.Get("cursor"); c != "" {
		raw, _ := base64.StdEncoding.DecodeString(c)
		from, _ = strconv.Atoi(strings.TrimPrefix(string(raw), "next:"))
	}
	from = min(max(from, 0), len(list))
	to := min(from+limit, len(list))
	if to < len(list) {
		return list[from:to], base64.StdEncoding.EncodeToString([]byte("next:" + strconv.Itoa(to)))
	}
	return list[from:to], ""
}

// compareTS orders two Slack timestamps ("1700000000.000100").
func compareTS(a, b string) int {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) - len(bs)
	}
	if c := strings.Compare(as, bs); c != 0 {
		return c
	}
	return strings.Compare((af + "000000")[:6], (bf + "000000")[:6])
}

// SayAt stores a member's message posted at a past time (while the bot was
// not running), in its place in the channel, and returns its ts.
func (s *Server) SayAt(channel, user, text, thread string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000)
	for s.find(channel, ts) != nil {
		at = at.Add(time.Microsecond)
		ts = fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000)
	}
	m := &Message{Channel: channel, TS: ts, ThreadTS: thread, User: user, Text: text}
	list := append(s.msgs[channel], m)
	sort.SliceStable(list, func(i, j int) bool { return compareTS(list[i].TS, list[j].TS) < 0 })
	s.msgs[channel] = list
	return ts
}

// Unreact takes a member's reaction back and returns the reaction_removed event.
func (s *Server) Unreact(channel, ts, user, name string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	itemUser := ""
	if m := s.find(channel, ts); m != nil {
		users := m.Reactions[name]
		for i, u := range users {
			if u == user {
				m.Reactions[name] = append(users[:i:i], users[i+1:]...)
				break
			}
		}
		itemUser = m.User
	}
	return map[string]any{"type": "reaction_removed", "user": user, "reaction": name, "item_user": itemUser,
		"item": map[string]any{"type": "message", "channel": channel, "ts": ts}, "event_ts": s.nextTS()}
}
