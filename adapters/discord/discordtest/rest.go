package discordtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

func (s *Server) sortedChannels() []Channel {
	var out []Channel
	for _, c := range s.channels {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// serve routes REST under /api/v9 and the gateway at /gateway.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.gateway(w, r)
		return
	}
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v9/")
	if !ok {
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	seg := strings.Split(path, "/")
	for i := range seg {
		seg[i], _ = url.PathUnescape(seg[i])
	}
	// Interaction callbacks and webhooks authenticate by their token.
	webhook := seg[0] == "interactions" || seg[0] == "webhooks"
	if !webhook && r.Header.Get("Authorization") != "Bot "+s.Token {
		s.mu.Lock()
		s.unauthorized++
		s.mu.Unlock()
		apiError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	route := r.Method + " " + routeOf(seg)
	if r.Method == http.MethodGet {
		s.fetches[route]++
	}
	w.Header().Set("X-RateLimit-Bucket", strconv.Itoa(len(route)))
	w.Header().Set("X-RateLimit-Limit", "5")
	w.Header().Set("X-RateLimit-Remaining", "4")
	w.Header().Set("X-RateLimit-Reset-After", "1")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(time.Second).UnixMilli())/1000, 'f', 3, 64))
	if f, ok := s.failing[route]; ok {
		if f == 0 {
			delete(s.failing, route)
			apiError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
			return
		}
		s.failing[route] = f - 1
	}
	if q := s.limited[route]; len(q) > 0 {
		after := q[0]
		s.limited[route] = q[1:]
		if s.deliverLimited && route == "POST channels/{}/messages" {
			// Discord can answer 429 for a message it did create.
			s.deliverLimited = false
			s.createMessage(httptest.NewRecorder(), seg[1], body)
		}
		s.rateLimited = append(s.rateLimited, time.Now())
		s.bump()
		w.Header().Set("Retry-After", strconv.Itoa(int(after+0.999)))
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", strconv.FormatFloat(after, 'f', 3, 64))
		w.Header().Set("X-RateLimit-Scope", "user")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": after, "global": false})
		return
	}
	switch {
	case route == "GET gateway":
		writeJSON(w, http.StatusOK, map[string]any{"url": "ws://" + r.Host + "/gateway"})
	case route == "GET gateway/bot":
		// Discord recommends about one shard per 1,000 guilds.
		writeJSON(w, http.StatusOK, map[string]any{"url": "ws://" + r.Host + "/gateway", "shards": max(1, (len(s.guilds)+999)/1000),
			"session_start_limit": map[string]any{"total": 1000, "remaining": 1000 - len(s.shardsSeen), "reset_after": 86400000,
				"max_concurrency": max(1, s.MaxConcurrency)}})
	case route == "GET applications/@me":
		writeJSON(w, http.StatusOK, map[string]any{"id": s.AppID, "name": "Repertoire", "flags": s.AppFlags,
			"bot": userJSON(s.Bot), "bot_public": false, "description": ""})
	case route == "PUT applications/{}/commands":
		s.commands = body
		var cmds []map[string]any
		if json.Unmarshal(body, &cmds) != nil {
			apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		for _, c := range cmds {
			c["id"], c["application_id"], c["version"] = s.newID(), s.AppID, "1"
		}
		s.bump()
		writeJSON(w, http.StatusOK, cmds)
	case route == "GET channels/{}":
		c, ok := s.channels[seg[1]]
		if !ok {
			apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
			return
		}
		writeJSON(w, http.StatusOK, s.channelJSON(c))
	case route == "GET channels/{}/messages/{}":
		m, ok := s.msgs[seg[3]]
		if !ok || m.channel != seg[1] {
			apiError(w, http.StatusNotFound, 10008, "Unknown Message")
			return
		}
		writeJSON(w, http.StatusOK, s.messageJSON(m, s.contentIntent()))
	case route == "GET channels/{}/messages":
		s.listMessages(w, seg[1], r.URL.Query())
	case route == "GET channels/{}/messages/{}/reactions/{}":
		s.listReactions(w, seg[1], seg[3], seg[5], r.URL.Query())
	case route == "GET guilds/{}/members/{}":
		if _, ok := s.guilds[seg[1]]; !ok || s.outsiders[seg[3]] {
			apiError(w, http.StatusNotFound, 10007, "Unknown Member")
			return
		}
		user, roles := map[string]any{"id": seg[3], "username": "member", "discriminator": "0"}, []any{}
		if seg[3] == s.Bot.ID {
			user, roles = userJSON(s.Bot), []any{s.BotRoleID} // its managed role
		}
		writeJSON(w, http.StatusOK, map[string]any{"user": user,
			"roles": roles, "nick": nil, "joined_at": "2024-01-01T00:00:00+00:00", "deaf": false, "mute": false})
	case route == "POST channels/{}/messages":
		s.createMessage(w, seg[1], body)
	case route == "PUT channels/{}/messages/{}/reactions/{}/@me":
		if _, ok := s.msgs[seg[3]]; !ok {
			apiError(w, http.StatusNotFound, 10008, "Unknown Message")
			return
		}
		s.reactions = append(s.reactions, Reaction{Channel: seg[1], Message: seg[3], Emoji: seg[5], At: time.Now()})
		s.msgs[seg[3]].react(seg[5], s.Bot.ID, true)
		s.bump()
		w.WriteHeader(http.StatusNoContent)
	case route == "POST users/@me/{}" && seg[2] == "channels":
		s.openDM(w, body)
	case route == "POST interactions/{}/{}/callback":
		s.callback(w, seg[1], seg[2], body)
	case route == "PATCH webhooks/{}/{}/messages/@original", route == "POST webhooks/{}/{}":
		s.webhook(w, route, seg[2], body)
	default:
		if !s.moreRoutes(w, r, route, seg) {
			apiError(w, http.StatusNotFound, 0, "404: Not Found")
		}
	}
}

// routeOf replaces IDs with {} to name a route ("channels/{}/messages").
func routeOf(seg []string) string {
	out := make([]string, len(seg))
	for i, p := range seg {
		switch {
		case i == 0 || p == "@me" || p == "@original" || p == "messages" || p == "reactions" || p == "commands" ||
			p == "callback" || p == "bot" || p == "members" || p == "roles":
			out[i] = p
		default:
			out[i] = "{}"
		}
	}
	return strings.Join(out, "/")
}

type wireSend struct {
	Content         *string         `json:"content"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
	Reference       *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
	Nonce        json.RawMessage `json:"nonce"`
	EnforceNonce bool            `json:"enforce_nonce"`
	Flags        int             `json:"flags"`
	Components   json.RawMessage `json:"components"`
}

func (s *Server) createMessage(w http.ResponseWriter, channel string, body []byte) {
	if _, ok := s.channels[channel]; !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	var in wireSend
	if err := json.Unmarshal(body, &in); err != nil || in.Content == nil || *in.Content == "" {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return
	}
	if utf8.RuneCountInString(*in.Content) > 2000 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body",
			"errors": map[string]any{"content": map[string]any{"_errors": []any{map[string]any{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}}}}})
		return
	}
	nonce := strings.Trim(string(in.Nonce), `"`)
	if in.EnforceNonce && nonce != "" {
		if id, ok := s.nonces[nonce]; ok {
			writeJSON(w, http.StatusOK, s.messageJSON(s.msgs[id], true))
			return
		}
	}
	replyTo := ""
	if in.Reference != nil {
		replyTo = in.Reference.MessageID
	}
	id := s.post(s.Bot, channel, *in.Content, replyTo)
	if nonce != "" {
		s.nonces[nonce] = id
	}
	s.msgs[id].components = in.Components
	s.sent = append(s.sent, Sent{ID: id, Channel: channel, Content: *in.Content, AllowedMentions: in.AllowedMentions,
		ReplyTo: replyTo, Nonce: nonce, Components: in.Components, At: time.Now()})
	s.bump()
	writeJSON(w, http.StatusOK, s.messageJSON(s.msgs[id], true))
}

// openDM answers POST /users/@me/channels: the bot's DM channel with the
// recipient, made on first use ("dm-" and the user's ID) and the same after.
func (s *Server) openDM(w http.ResponseWriter, body []byte) {
	var in struct {
		RecipientID string `json:"recipient_id"`
	}
	if json.Unmarshal(body, &in) != nil || in.RecipientID == "" {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	id := "dm-" + in.RecipientID
	if _, ok := s.channels[id]; !ok {
		s.channels[id] = Channel{ID: id, Type: TypeDM}
		s.bump()
	}
	u, ok := s.users[in.RecipientID]
	if !ok {
		u = User{ID: in.RecipientID, Name: "member"}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "type": TypeDM, "last_message_id": nil,
		"recipients": []any{userJSON(u)}})
}

func (s *Server) callback(w http.ResponseWriter, id, token string, body []byte) {
	it, ok := s.interactions[id]
	if !ok || it.token != token {
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	if it.responded {
		apiError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	if time.Since(it.at) > 3*time.Second {
		apiError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return
	}
	var in struct {
		Type int      `json:"type"`
		Data wireSend `json:"data"`
	}
	if json.Unmarshal(body, &in) != nil || (in.Type != 4 && in.Type != 5 && in.Type != 6) || (in.Type == 6 && it.message == "") {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	it.responded, it.deferredTo = true, in.Type == 5
	resp := Response{Interaction: id, Kind: "callback", Type: in.Type, Flags: in.Data.Flags, AllowedMentions: in.Data.AllowedMentions, At: time.Now()}
	if in.Data.Content != nil {
		resp.Content = *in.Data.Content
	}
	s.responses = append(s.responses, resp)
	s.bump()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) webhook(w http.ResponseWriter, route, token string, body []byte) {
	var it *interaction
	for _, x := range s.interactions {
		if x.token == token {
			it = x
		}
	}
	if it == nil || !it.responded {
		apiError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	var in wireSend
	if json.Unmarshal(body, &in) != nil || (in.Content == nil && (it.message == "" || in.Components == nil)) {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if it.message != "" && strings.HasPrefix(route, "PATCH") {
		// @original of a component interaction is the message it was on.
		m := s.msgs[it.message]
		if m == nil {
			apiError(w, http.StatusNotFound, 10008, "Unknown Message")
			return
		}
		if in.Content != nil {
			m.content = *in.Content
		}
		if in.Components != nil {
			m.components = in.Components
		}
		s.responses = append(s.responses, Response{Interaction: it.id, Kind: "edit", Content: m.content, Components: in.Components,
			AllowedMentions: in.AllowedMentions, At: time.Now()})
		s.bump()
		writeJSON(w, http.StatusOK, s.messageJSON(m, true))
		return
	}
	if in.Content == nil {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	if utf8.RuneCountInString(*in.Content) > 2000 {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	kind := "followup"
	if strings.HasPrefix(route, "PATCH") {
		kind = "edit"
	}
	s.responses = append(s.responses, Response{Interaction: it.id, Kind: kind, Content: *in.Content, Flags: in.Flags,
		AllowedMentions: in.AllowedMentions, At: time.Now()})
	s.bump()
	writeJSON(w, http.StatusOK, map[string]any{"id": s.newID(), "channel_id": "", "content": *in.Content, "flags": in.Flags,
		"author": userJSON(s.Bot), "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "type": 20})
}

// RateLimit makes the next calls of route ("POST channels/{}/messages")
// answer 429 with these retry_after values (seconds).
func (s *Server) RateLimit(route string, retryAfter ...float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited[route] = append(s.limited[route], retryAfter...)
}

// RateLimited returns when 429s were answered.
func (s *Server) RateLimited() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.rateLimited...)
}

// Sent returns the messages the bot posted to channels.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Responses returns what the bot sent to interactions.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.responses...)
}

// Reactions returns the reactions the bot added.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reaction(nil), s.reactions...)
}

// Commands returns the last PUT of application commands, as sent.
func (s *Server) Commands() json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
}

// Fetches counts GET requests on a route ("GET channels/{}/messages/{}").
func (s *Server) Fetches(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[route]
}

// CloseNextIdentify makes the next IDENTIFY be closed with code.
func (s *Server) CloseNextIdentify(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeNext = code
}

// RateLimitDelivered is RateLimit for the next post, which Discord creates
// before answering 429 (the message exists though the bot saw an error).
func (s *Server) RateLimitDelivered(retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverLimited = true
	s.limited["POST channels/{}/messages"] = append(s.limited["POST channels/{}/messages"], retryAfter)
}

// listMessages answers Get Channel Messages: at most limit (1–100, 50 by
// default) messages, newest first, before, after or around a message ID
// (one of them), or the newest.
func (s *Server) listMessages(w http.ResponseWriter, channel string, q url.Values) {
	if _, ok := s.channels[channel]; !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body"})
			return
		}
		limit = n
	}
	var list []*message
	for _, m := range s.msgs {
		if m.channel == channel {
			list = append(list, m)
		}
	}
	sort.Slice(list, func(i, j int) bool { return compareSnowflakes(list[i].id, list[j].id) > 0 }) // newest first
	var page []*message
	switch before, after, around := q.Get("before"), q.Get("after"), q.Get("around"); {
	case before != "":
		for _, m := range list {
			if compareSnowflakes(m.id, before) < 0 && len(page) < limit {
				page = append(page, m)
			}
		}
	case after != "":
		// The limit messages just after the ID, still newest first.
		for i := len(list) - 1; i >= 0 && len(page) < limit; i-- {
			if compareSnowflakes(list[i].id, after) > 0 {
				page = append([]*message{list[i]}, page...)
			}
		}
	case around != "":
		at := sort.Search(len(list), func(i int) bool { return compareSnowflakes(list[i].id, around) <= 0 })
		from := max(0, at-limit/2)
		page = list[from:min(len(list), from+limit)]
	default:
		page = list[:min(len(list), limit)]
	}
	out := []any{}
	for _, m := range page {
		out = append(out, s.messageJSON(m, s.contentIntent()))
	}
	writeJSON(w, http.StatusOK, out)
}

// listReactions answers Get Reactions: the users who reacted with an emoji
// (unicode, or name:id), by user ID, at most limit (1–100, 25 by default)
// after a user ID.
func (s *Server) listReactions(w http.ResponseWriter, channel, msg, emoji string, q url.Values) {
	m, ok := s.msgs[msg]
	if !ok || m.channel != channel {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body"})
			return
		}
		limit = n
	}
	users := append([]string(nil), m.reactions[emoji]...)
	sort.Slice(users, func(i, j int) bool { return compareSnowflakes(users[i], users[j]) < 0 })
	out := []any{}
	for _, u := range users {
		if (q.Get("after") == "" || compareSnowflakes(u, q.Get("after")) > 0) && len(out) < limit {
			out = append(out, userJSON(s.userByID(u)))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// userByID names a user the fake has seen (the bot, a message author); an
// unknown member gets a plain name.
func (s *Server) userByID(id string) User {
	if id == s.Bot.ID {
		return s.Bot
	}
	if u, ok := s.users[id]; ok {
		return u
	}
	return User{ID: id, Name: "member" + id}
}

// FailAfter makes the call of route after the next n succeed answer 500
// Internal Server Error, once: an outage in the middle of a long read.
func (s *Server) FailAfter(route string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing[route] = n
}
