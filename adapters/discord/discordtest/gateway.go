package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

type inbound struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "9" || r.URL.Query().Get("encoding") != "json" {
		http.Error(w, "want ?v=9&encoding=json", http.StatusBadRequest)
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	defer func() {
		ws.Close()
		s.mu.Lock()
		s.unlive(c)
		if c.noAcks && s.zombieClosed.IsZero() {
			s.zombieClosed = time.Now()
		}
		s.bump()
		s.mu.Unlock()
	}()
	if err := c.write(map[string]any{"op": 10, "s": nil, "t": nil,
		"d": map[string]any{"heartbeat_interval": s.HeartbeatInterval.Milliseconds()}}); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var in inbound
		if err := json.Unmarshal(data, &in); err != nil {
			s.closeWith(c, 4002, "Error while decoding payload.")
			return
		}
		switch in.Op {
		case 1:
			var seq int64
			_ = json.Unmarshal(in.D, &seq) // null before the first dispatch
			s.mu.Lock()
			s.heartbeats++
			if c.sess != nil {
				c.sess.heard = max(c.sess.heard, seq)
			}
			acks := !c.noAcks
			s.bump()
			s.mu.Unlock()
			if acks {
				_ = c.write(map[string]any{"op": 11})
			}
		case 2:
			if !s.identify(c, in.D) {
				return
			}
		case 6:
			if !s.resume(c, in.D) {
				return
			}
		default:
			// presence updates and the rest: accepted, ignored
		}
	}
}

func (s *Server) closeWith(c *conn, code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.Close()
}

func (s *Server) tokenOK(tok string) bool {
	return tok == "Bot "+s.Token || tok == s.Token
}

// unlive stops sending dispatches on c; call with mu held.
func (s *Server) unlive(c *conn) {
	s.live = slices.DeleteFunc(s.live, func(x *conn) bool { return x == c })
}

func (s *Server) identify(c *conn, d json.RawMessage) bool {
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
		Shard   *[]int `json:"shard"`
	}
	_ = json.Unmarshal(d, &id)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identifies = append(s.identifies, id.Intents)
	shard, shardOK := [2]int{0, 1}, true
	if id.Shard != nil {
		sh := *id.Shard
		shardOK = len(sh) == 2 && sh[1] >= 1 && sh[0] >= 0 && sh[0] < sh[1]
		if len(sh) == 2 {
			shard = [2]int{sh[0], sh[1]}
		}
	}
	s.shardsSeen = append(s.shardsSeen, shard)
	var guilds []string
	for _, g := range s.guildIDs() {
		if ShardOf(g, shard[1]) == shard[0] {
			guilds = append(guilds, g)
		}
	}
	s.bump()
	switch {
	case !s.tokenOK(id.Token):
		s.closeWith(c, 4004, "Authentication failed.")
		return false
	case !shardOK:
		s.closeWith(c, 4010, "Invalid shard.")
		return false
	case s.MaxGuildsPerShard > 0 && len(guilds) > s.MaxGuildsPerShard:
		s.closeWith(c, 4011, "Sharding required.")
		return false
	case id.Intents&IntentMessageContent != 0 && !s.AllowMessageContent:
		s.closeWith(c, 4014, "Disallowed intent(s).")
		return false
	case s.closeNext != 0:
		code := s.closeNext
		s.closeNext = 0
		s.closeWith(c, code, "closed by test")
		return false
	}
	sess := &session{id: s.newID(), intents: id.Intents, shard: shard}
	s.sessions[sess.id] = sess
	c.sess = sess
	s.live = append(s.live, c)
	host := "ws://" + strings.TrimPrefix(s.http.URL, "http://")
	unavailable := []any{}
	for _, g := range guilds {
		unavailable = append(unavailable, map[string]any{"id": g, "unavailable": true})
	}
	ready := map[string]any{
		"v": 9, "user": userJSON(s.Bot), "session_id": sess.id, "resume_gateway_url": host + "/gateway",
		"application": map[string]any{"id": s.AppID, "flags": s.AppFlags}, "guilds": unavailable,
	}
	if id.Shard != nil {
		ready["shard"] = []int{shard[0], shard[1]}
	}
	s.dispatchSession(sess, "READY", ready)
	for _, g := range guilds {
		var chans, threads []any
		for _, ch := range s.sortedChannels() {
			switch {
			case s.guildOfChannel(ch) != g, ch.Archived:
			case ch.Type == TypePublicThread || ch.Type == TypePrivateThread:
				threads = append(threads, s.channelJSON(ch))
			default:
				chans = append(chans, s.channelJSON(ch))
			}
		}
		s.dispatchSession(sess, "GUILD_CREATE", map[string]any{"id": g, "name": s.guilds[g], "unavailable": false,
			"channels": chans, "threads": threads, "members": []any{}, "roles": []any{
				map[string]any{"id": g, "name": "@everyone", "permissions": "1024"},
				map[string]any{"id": s.BotRoleID, "name": s.Bot.Name, "managed": true, "permissions": "0", "tags": map[string]any{"bot_id": s.Bot.ID}},
			}})
	}
	return true
}

// dispatchSession sends a dispatch to one session only (READY, its
// GUILD_CREATEs, RESUMED).
func (s *Server) dispatchSession(sess *session, t string, d any) {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err) // test data only
	}
	s.sendTo(sess, t, raw)
	s.delivered = append(s.delivered, Delivered{Session: sess.id, Shard: sess.shard, Type: t, Guild: routeGuild(t, raw), Seq: sess.seq})
	s.bump()
}

func (s *Server) resume(c *conn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(d, &r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resumes++
	s.bump()
	if !s.tokenOK(r.Token) {
		s.closeWith(c, 4004, "Authentication failed.")
		return false
	}
	sess, ok := s.sessions[r.SessionID]
	if !ok || !slices.Contains(s.current(), sess) {
		_ = c.write(map[string]any{"op": 9, "d": false})
		return true
	}
	c.sess = sess
	for _, ev := range sess.log {
		if ev.seq > r.Seq {
			_ = c.write(frame(ev))
		}
	}
	s.live = append(s.live, c)
	s.dispatchSession(sess, "RESUMED", map[string]any{})
	return true
}

// Reconnect sends op 7 on every live connection and stops sending on
// them, as Discord does before it closes: dispatches wait for the RESUME.
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		_ = c.write(map[string]any{"op": 7, "d": nil})
	}
	s.live = nil
}

// RequestHeartbeat sends op 1, which the client answers at once with a
// heartbeat. Frames are read in order, so when Heartbeats grows past n the
// client has read every dispatch sent before the request.
func (s *Server) RequestHeartbeat() (n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		_ = c.write(map[string]any{"op": 1, "d": nil})
	}
	return s.heartbeats
}

// InvalidSession sends op 9 (not resumable): the client must IDENTIFY.
func (s *Server) InvalidSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		_ = c.write(map[string]any{"op": 9, "d": false})
	}
	s.live = nil
}

// DropConnection closes the socket abruptly, without a close frame.
func (s *Server) DropConnection() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		c.ws.UnderlyingConn().Close()
	}
	s.live = nil
}

// StopAcks makes the current connection a zombie: heartbeats go
// unacknowledged (and dispatches wait for the next connection).
func (s *Server) StopAcks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		c.noAcks = true
	}
	s.live = nil
}

// ZombieClosed is when the client closed the connection StopAcks made a
// zombie (zero until then).
func (s *Server) ZombieClosed() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zombieClosed
}

// CloseWith closes the current connection with a close code.
func (s *Server) CloseWith(code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		s.closeWith(c, code, reason)
	}
	s.live = nil
}

// Connected reports whether a session is live (READY or RESUMED).
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live) > 0
}

// LiveShards lists the shards ([id, count]) of the live connections, in
// the order they connected.
func (s *Server) LiveShards() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][2]int
	for _, c := range s.live {
		out = append(out, c.sess.shard)
	}
	return out
}

// IdentifiedShards returns the shard of every IDENTIFY so far ([0, 1] for
// one that named none).
func (s *Server) IdentifiedShards() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]int(nil), s.shardsSeen...)
}

// Identifies returns the intents of every IDENTIFY so far.
func (s *Server) Identifies() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.identifies...)
}

// Resumes counts RESUMEs.
func (s *Server) Resumes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumes
}

// HeardAll reports whether every live connection's last heartbeat carried
// the sequence number of the last dispatch sent to it: the client had read
// everything sent before (discordgo heartbeats the last sequence it read).
func (s *Server) HeardAll() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.live {
		if c.sess == nil || c.sess.heard < c.sess.seq {
			return false
		}
	}
	return len(s.live) > 0
}

// Heartbeats counts heartbeats received.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heartbeats
}
