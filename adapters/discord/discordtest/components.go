package discordtest

import (
	"encoding/json"
	"time"
)

// Press dispatches INTERACTION_CREATE for a member pressing the button
// customID on message msg in channel (a message component interaction,
// type 3, https://discord.com/developers/docs/interactions/receiving-and-responding):
// the message with its components, data with custom_id and component_type
// 2. It returns the interaction ID. The response may be a deferred update
// (type 6), after which PATCH @original edits that message.
func (s *Server) Press(user User, channel, msg, customID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &interaction{id: s.newID(), token: "itoken-" + s.newID(), at: time.Now(), message: msg}
	s.interactions[it.id] = it
	c := s.channels[channel]
	var message map[string]any
	if m := s.msgs[msg]; m != nil {
		message = s.messageJSON(m, true)
		var comps any = []any{}
		if len(m.components) > 0 {
			_ = json.Unmarshal(m.components, &comps)
		}
		message["components"] = comps
	}
	d := map[string]any{"id": it.id, "application_id": s.AppID, "type": 3, "token": it.token, "version": 1,
		"channel_id": channel, "channel": map[string]any{"id": channel, "type": c.Type},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
		"message": message, "app_permissions": "0", "locale": "en-US", "entitlements": []any{}}
	if c.Type == TypeDM {
		d["user"] = userJSON(user)
	} else {
		d["guild_id"] = s.guildOfChannel(c)
		d["member"] = map[string]any{"user": userJSON(user), "roles": []any{}, "nick": nil, "permissions": "0"}
	}
	s.dispatchLocked("INTERACTION_CREATE", d)
	return it.id
}

// Components returns a message's components as they are now (after edits).
func (s *Server) Components(msg string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.msgs[msg]; m != nil {
		return m.components
	}
	return nil
}
