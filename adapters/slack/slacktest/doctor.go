package slacktest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DefaultScopes are the bot token scopes a new Server grants: those
// adapters/slack/manifest.json asks for (a test there keeps them equal).
var DefaultScopes = []string{"app_mentions:read", "channels:history", "channels:read", "chat:write", "commands",
	"groups:history", "groups:read", "im:history", "im:read", "reactions:read", "reactions:write", "users:read"}

// SetScopes sets the bot token's granted scopes, which every Web API answer
// to the bot token lists in its X-OAuth-Scopes header, as Slack's does.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = append([]string(nil), scopes...)
}

// moreMethods answers the methods `repertoire doctor` calls beyond the
// adapter's; it reports false for an unknown method. Called with mu held.
func (s *Server) moreMethods(w http.ResponseWriter, method string, form url.Values) bool {
	switch method {
	case "users.conversations":
		// The channels whose members (SetMembers) include the user (the
		// caller when none is given), of the asked types, in pages of
		// two so that callers must follow the cursor.
		types := form.Get("types")
		if types == "" {
			types = "public_channel"
		}
		for kind, scope := range map[string]string{"public_channel": "channels:read", "private_channel": "groups:read"} {
			if strings.Contains(types, kind) && !slices.Contains(s.scopes, scope) {
				writeJSON(w, map[string]any{"ok": false, "error": "missing_scope", "needed": scope, "provided": strings.Join(s.scopes, ",")})
				return true
			}
		}
		user := form.Get("user")
		if user == "" {
			user = s.BotUser
		}
		var ids []string
		for id, private := range s.channels {
			kind := "public_channel"
			switch {
			case strings.HasPrefix(id, "D"):
				kind = "im"
			case private:
				kind = "private_channel"
			}
			if strings.Contains(types, kind) && slices.Contains(s.members[id], user) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		from, _ := strconv.Atoi(form.Get("cursor"))
		from = min(max(from, 0), len(ids))
		to := min(from+2, len(ids))
		next := ""
		if to < len(ids) {
			next = strconv.Itoa(to)
		}
		chans := []map[string]any{}
		for _, id := range ids[from:to] {
			private := s.channels[id]
			chans = append(chans, map[string]any{"id": id, "name": strings.ToLower(id), "is_channel": !private, "is_group": private,
				"is_private": private, "is_archived": false, "is_member": true})
		}
		writeJSON(w, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": next}})
		return true
	}
	return false
}
