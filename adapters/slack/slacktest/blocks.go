package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit's limits, as Slack enforces them: a message whose blocks break
// one is refused whole with invalid_blocks (nothing is posted).
// https://api.slack.com/reference/block-kit/blocks
const (
	maxBlocks      = 50
	maxSectionText = 3000 // a section's text, a context element's text
	maxHeaderText  = 150
	maxButtonText  = 75
)

// invalidBlocks says why Slack would refuse blocks ("" when it would not).
func invalidBlocks(raw string) string {
	if raw == "" {
		return ""
	}
	type text struct {
		Text string `json:"text"`
	}
	var blocks []struct {
		Type     string `json:"type"`
		Text     *text  `json:"text"`
		Elements []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return fmt.Sprintf("blocks are not a JSON array of blocks: %v", err)
	}
	if len(blocks) > maxBlocks {
		return fmt.Sprintf("%d blocks, more than %d", len(blocks), maxBlocks)
	}
	over := func(where, s string, limit int) string {
		if n := utf8.RuneCountInString(s); n > limit {
			return fmt.Sprintf("%s text of %d characters, more than %d", where, n, limit)
		}
		return ""
	}
	for i, b := range blocks {
		where := fmt.Sprintf("block %d (%s)", i, b.Type)
		switch b.Type {
		case "section":
			if b.Text != nil {
				if why := over(where, b.Text.Text, maxSectionText); why != "" {
					return why
				}
			}
		case "header":
			if b.Text != nil {
				if why := over(where, b.Text.Text, maxHeaderText); why != "" {
					return why
				}
			}
		case "context", "actions":
			for _, e := range b.Elements {
				var t text // a button's label is a text object; a context element is one
				switch e.Type {
				case "mrkdwn", "plain_text":
					_ = json.Unmarshal(e.Text, &t.Text)
				case "button":
					_ = json.Unmarshal(e.Text, &t)
				}
				limit := maxSectionText
				if e.Type == "button" {
					limit = maxButtonText
				}
				if why := over(where, t.Text, limit); why != "" {
					return why
				}
			}
		}
	}
	return ""
}
