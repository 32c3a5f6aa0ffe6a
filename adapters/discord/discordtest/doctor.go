package discordtest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Permission bits the fake's roles grant by default.
const (
	PermAddReactions          = 1 << 6
	PermViewChannel           = 1 << 10
	PermSendMessages          = 1 << 11
	PermReadMessageHistory    = 1 << 16
	PermSendMessagesInThreads = 1 << 38
	// BotInvitePermissions is what the adapter's invite link asks for
	// (a test in adapters/discord keeps them equal): the bot's managed
	// role holds them unless SetPermissions says otherwise.
	BotInvitePermissions = PermViewChannel | PermSendMessages | PermSendMessagesInThreads | PermAddReactions | PermReadMessageHistory
)

type guildPerms struct {
	everyone, bot int64
	left          bool // the bot was removed from the guild
}

// defaultPerms: @everyone may read and write; the bot's role holds what
// its invite asked for.
var defaultPerms = guildPerms{everyone: PermViewChannel | PermSendMessages | PermReadMessageHistory, bot: BotInvitePermissions}

// GuildName is the fake guild's name.
const GuildName = "Fake Guild"

// SetPermissions sets the permissions of the guild's @everyone role and of
// the bot's managed role, as GET /guilds/{id} lists them.
func (s *Server) SetPermissions(everyone, bot int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perms.everyone, s.perms.bot = everyone, bot
}

// LeaveGuild removes the bot from the guild, as a server admin kicking it
// does: GET /users/@me/guilds lists none and the guild answers 403.
func (s *Server) LeaveGuild() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perms.left = true
}

// SetRegisteredCommands replaces the application's global commands (a JSON
// array as PUT /applications/{id}/commands takes it), as an older version
// of the bot, or another program, would have left them.
func (s *Server) SetRegisteredCommands(raw json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = raw
}

// moreRoutes answers the reads `repertoire doctor` makes beyond the
// adapter's; it reports false for an unknown route. Called with mu held.
func (s *Server) moreRoutes(w http.ResponseWriter, r *http.Request, route string, seg []string) bool {
	switch {
	case route == "GET users/@me":
		u := userJSON(s.Bot)
		u["avatar"], u["verified"], u["flags"], u["mfa_enabled"] = nil, true, 0, false
		writeJSON(w, http.StatusOK, u)
	case route == "GET users/@me/{}" && seg[2] == "guilds":
		// A partial guild: permissions are the bot's, without overwrites.
		if s.perms.left {
			writeJSON(w, http.StatusOK, []any{})
			return true
		}
		s.userGuilds(w, r)
	case route == "GET guilds/{}":
		if _, ok := s.guilds[seg[1]]; !ok {
			apiError(w, http.StatusNotFound, 10004, "Unknown Guild")
			return true
		}
		if s.perms.left {
			apiError(w, http.StatusForbidden, 50001, "Missing Access")
			return true
		}
		role := func(id, name string, perms int64, pos int, managed bool) map[string]any {
			r := map[string]any{"id": id, "name": name, "color": 0, "hoist": false, "icon": nil, "unicode_emoji": nil, "position": pos,
				"permissions": strconv.FormatInt(perms, 10), "managed": managed, "mentionable": false, "flags": 0}
			if managed {
				r["tags"] = map[string]any{"bot_id": s.Bot.ID}
			}
			return r
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": seg[1], "name": s.guildName(seg[1]), "icon": nil, "splash": nil,
			"owner_id": "900000000000000999", "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 1,
			"default_message_notifications": 1, "explicit_content_filter": 2, "mfa_level": 0, "features": []any{}, "emojis": []any{},
			"roles":             []any{role(seg[1], "@everyone", s.perms.everyone, 0, false), role(s.BotRoleID, "Repertoire", s.perms.bot, 1, true)},
			"system_channel_id": nil, "rules_channel_id": nil, "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0})
	case route == "GET guilds/{}/roles":
		if _, ok := s.guilds[seg[1]]; !ok {
			apiError(w, http.StatusNotFound, 10004, "Unknown Guild")
			return true
		}
		writeJSON(w, http.StatusOK, []any{
			map[string]any{"id": seg[1], "name": "@everyone", "position": 0, "permissions": strconv.FormatInt(s.perms.everyone, 10), "managed": false},
			map[string]any{"id": s.BotRoleID, "name": "Repertoire", "position": 1, "permissions": strconv.FormatInt(s.perms.bot, 10), "managed": true,
				"tags": map[string]any{"bot_id": s.Bot.ID}},
		})
	case route == "GET applications/{}/commands":
		if seg[1] != s.AppID {
			apiError(w, http.StatusForbidden, 50001, "Missing Access")
			return true
		}
		var cmds []map[string]any
		if len(s.commands) > 0 && json.Unmarshal(s.commands, &cmds) != nil {
			cmds = nil
		}
		out := []any{}
		for i, c := range cmds {
			c["id"], c["application_id"], c["version"] = strconv.Itoa(900000000000001000+i), s.AppID, "1"
			if _, ok := c["description"]; !ok {
				c["description"] = ""
			}
			out = append(out, c)
		}
		writeJSON(w, http.StatusOK, out)
	default:
		return false
	}
	return true
}

// guildName is GuildName for GuildID, else the name AddGuild gave.
func (s *Server) guildName(id string) string {
	if id == s.GuildID {
		return GuildName
	}
	return s.guilds[id]
}

// userGuilds answers GET /users/@me/guilds: partial guilds by ID, at most
// limit (1–200, 200 by default) after a guild ID. Permissions are the
// bot's, without overwrites.
func (s *Server) userGuilds(w http.ResponseWriter, r *http.Request) {
	out := []any{}
	if s.perms.left {
		writeJSON(w, http.StatusOK, out)
		return
	}
	limit := 200
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body"})
			return
		}
		limit = n
	}
	after := r.URL.Query().Get("after")
	for _, id := range s.guildIDs() {
		if (after == "" || compareSnowflakes(id, after) > 0) && len(out) < limit {
			out = append(out, map[string]any{"id": id, "name": s.guildName(id), "icon": nil, "owner": false,
				"permissions": strconv.FormatInt(s.perms.everyone|s.perms.bot, 10), "features": []any{}})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
