package slacktest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// BlockAction returns the block_actions payload Slack sends when user
// presses the button actionID on message ts in channel
// (https://api.slack.com/reference/interaction-payloads/block-actions):
// the message as posted (text and blocks), its container, the action with
// its block_id and value. An empty value takes the button's own.
func (s *Server) BlockAction(channel, ts, user, actionID, value string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.find(channel, ts)
	if m == nil {
		s.t.Fatalf("slacktest: no message %s in %s", ts, channel)
		return nil
	}
	var blocks []map[string]any
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			s.t.Fatalf("slacktest: blocks of %s: %v", ts, err)
		}
	}
	blockID := ""
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			e, _ := el.(map[string]any)
			if e["action_id"] == actionID {
				blockID, _ = b["block_id"].(string)
				if value == "" {
					value, _ = e["value"].(string)
				}
			}
		}
	}
	s.seq++
	now := time.Now()
	msg := s.messageJSON(m)
	msg["blocks"] = blocks
	container := map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	payload, err := json.Marshal(map[string]any{
		"type": "block_actions", "api_app_id": "A0001", "token": "legacy",
		"team":         map[string]any{"id": s.Team, "domain": "fake"},
		"user":         map[string]any{"id": user, "username": user, "name": user, "team_id": s.Team},
		"channel":      map[string]any{"id": channel, "name": channel},
		"container":    container,
		"message":      msg,
		"trigger_id":   fmt.Sprintf("%d.1.press", s.seq),
		"response_url": fmt.Sprintf("%s/response/%d", s.srv.URL, s.seq),
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": blockID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": actionID}, "action_ts": fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)}},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return payload
}

// Interactive sends an interaction payload over Socket Mode (an envelope of
// type interactive) and returns the envelope ID.
func (s *Server) Interactive(payload []byte) string { return s.Envelope("interactive", payload) }

// InteractionForm is the body Slack posts to the interactivity request URL:
// the payload as a form field (sign it with Sign, Content-Type
// application/x-www-form-urlencoded).
func InteractionForm(payload []byte) []byte {
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}
