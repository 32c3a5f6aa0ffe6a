package discord

import (
	"sort"
	"sync"

	"github.com/repertoire/repertoire/bot"
)

// Discord channel types the adapter cares about.
const (
	chanGuildText     = 0
	chanDM            = 1
	chanGroupDM       = 3
	chanAnnouncement  = 5
	chanNewsThread    = 10
	chanPublicThread  = 11
	chanPrivateThread = 12
	chanForum         = 15
)

// permViewChannel is VIEW_CHANNEL: denied to the @everyone role (whose ID is
// the guild's ID) it makes a channel private.
const permViewChannel = 1 << 10

// channelInfo is what the adapter needs to know about a channel.
type channelInfo struct {
	ID      string
	Guild   string // empty for DMs
	Parent  string // a thread's channel
	Name    string
	Type    int
	Private bool // @everyone cannot view it (or its parent), a private thread, or a DM
}

func (c channelInfo) isThread() bool {
	return c.Type == chanNewsThread || c.Type == chanPublicThread || c.Type == chanPrivateThread
}

// wireChannel is a channel object as Discord sends it.
type wireChannel struct {
	ID                   string `json:"id"`
	GuildID              string `json:"guild_id"`
	ParentID             string `json:"parent_id"`
	Name                 string `json:"name"`
	Type                 int    `json:"type"`
	PermissionOverwrites []struct {
		ID   string `json:"id"`
		Type int    `json:"type"` // 0 role, 1 member
		Deny string `json:"deny"` // a decimal string
	} `json:"permission_overwrites"`
}

// everyoneDenied reports whether the overwrite for guild's @everyone role
// denies VIEW_CHANNEL.
func (w wireChannel) everyoneDenied(guild string) bool {
	for _, o := range w.PermissionOverwrites {
		if o.Type == 0 && o.ID == guild {
			var deny uint64
			for _, r := range o.Deny {
				if r < '0' || r > '9' {
					deny = 0
					break
				}
				deny = deny*10 + uint64(r-'0')
			}
			return deny&permViewChannel != 0
		}
	}
	return false
}

// state is the adapter's memory of the guilds' channels and of recent
// messages, so a reaction needs no REST call when its message was seen.
type state struct {
	mu       sync.RWMutex
	channels map[string]channelInfo
	msgs     map[string]cached // by message ID: snowflakes are unique across channels
	order    []cacheKey        // insertion order, for eviction
	gen      uint64
	limit    int
	botID    string
	// botRoles is the bot's managed role in each guild: members often
	// mention it instead of the bot user, as Discord's autocomplete offers both.
	botRoles map[string]string
}

type cached struct {
	msg bot.Message
	gen uint64 // which put of this ID, so eviction skips a re-added message
}

type cacheKey struct {
	id  string
	gen uint64
}

func newState(limit int) *state {
	if limit <= 0 {
		limit = 10000
	}
	return &state{channels: map[string]channelInfo{}, msgs: map[string]cached{}, limit: limit, botRoles: map[string]string{}}
}

// channel returns what is known about id.
func (s *state) channel(id string) (channelInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.channels[id]
	return c, ok
}

// putChannel records a channel (or thread) from its wire form. A thread is
// private when it is a private thread or its parent is private.
func (s *state) putChannel(w wireChannel, guild string) channelInfo {
	if w.GuildID != "" {
		guild = w.GuildID
	}
	c := channelInfo{ID: w.ID, Guild: guild, Parent: w.ParentID, Name: w.Name, Type: w.Type}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case guild == "" || w.Type == chanDM || w.Type == chanGroupDM:
		c.Private = true
	case c.isThread():
		p, ok := s.channels[w.ParentID]
		c.Private = w.Type == chanPrivateThread || !ok || p.Private
	default:
		c.Private = w.everyoneDenied(guild)
	}
	s.channels[c.ID] = c
	// A parent's visibility changing changes its threads'.
	if !c.isThread() {
		for id, t := range s.channels {
			if t.Parent == c.ID && t.isThread() {
				t.Private = t.Type == chanPrivateThread || c.Private
				s.channels[id] = t
			}
		}
	}
	return c
}

func (s *state) dropChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
}

// dropGuild forgets a guild's channels (the bot left it).
func (s *state) dropGuild(guild string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.botRoles, guild)
	for id, c := range s.channels {
		if c.Guild == guild {
			delete(s.channels, id)
		}
	}
}

// botRole returns the bot's managed role in guild, "" when unknown.
func (s *state) botRole(guild string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.botRoles[guild]
}

func (s *state) putBotRole(guild, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botRoles[guild] = role
}

// message returns a cached message.
func (s *state) message(id string) (bot.Message, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.msgs[id]
	return c.msg, ok
}

// putMessage caches m, evicting the oldest messages past the limit.
func (s *state) putMessage(m bot.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.msgs[m.Ref.ID]
	if !ok {
		s.gen++
		c.gen = s.gen
		s.order = append(s.order, cacheKey{m.Ref.ID, c.gen})
	}
	c.msg = m
	s.msgs[m.Ref.ID] = c
	for len(s.order) > s.limit {
		k := s.order[0]
		if old, ok := s.msgs[k.id]; ok && old.gen == k.gen {
			delete(s.msgs, k.id)
		}
		s.order = s.order[1:]
	}
}

func (s *state) dropMessage(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.msgs, id) // its key stays in order until evicted, then is skipped
}

// threadMessages returns the cached messages of the thread rooted at root,
// the root first, then in posting order (snowflakes sort by time).
func (s *state) threadMessages(root string) []bot.Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []bot.Message
	for _, c := range s.msgs {
		if c.msg.Ref.ID == root || c.msg.Ref.Thread == root {
			out = append(out, c.msg)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Ref.ID, out[j].Ref.ID
		if a == root || b == root {
			return a == root && b != root
		}
		return snowflakeLess(a, b)
	})
	return out
}

func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// botUser is the bot's user ID, from READY ("" before the first).
func (s *state) botUser() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.botID
}

func (s *state) setBot(botID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botID = botID
}
