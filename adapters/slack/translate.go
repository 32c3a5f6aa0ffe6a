package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// Platform is the value of bot.ChannelRef.Platform for Slack channels.
const Platform = "slack"

// callback is the outer Events API payload: the HTTP request body, and the
// payload of a Socket Mode events_api envelope.
type callback struct {
	Type      string          `json:"type"` // event_callback, url_verification, app_rate_limited
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	EventTime int64           `json:"event_time"`
	Event     json.RawMessage `json:"event"`
}

// inner is the union of the inner event shapes the adapter reads.
type inner struct {
	Type            string `json:"type"`
	Subtype         string `json:"subtype"`
	User            string `json:"user"`
	BotID           string `json:"bot_id"`
	Username        string `json:"username"`
	Text            string `json:"text"`
	TS              string `json:"ts"`
	ThreadTS        string `json:"thread_ts"`
	Channel         string `json:"channel"`
	ChannelType     string `json:"channel_type"`
	Hidden          bool   `json:"hidden"`
	DeletedTS       string `json:"deleted_ts"`
	Message         *inner `json:"message"`
	PreviousMessage *inner `json:"previous_message"`
	Reaction        string `json:"reaction"`
	ItemUser        string `json:"item_user"`
	Item            struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	} `json:"item"`
}

// translation is what one Slack callback means for the core. Privacy is
// known only when Slack said the channel_type; otherwise the adapter looks
// it up (and fails closed).
type translation struct {
	Events       []bot.Event
	Channel      string // the channel the events are about
	PrivacyKnown bool
	Private      bool
	Removed      bool // app_uninstalled / tokens_revoked
}

var errSkip = errors.New("nothing for the core")

// Message subtypes that are still a member's words.
var wordSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true, "me_message": true, "bot_message": true}

// translateCallback turns one Events API callback into core events. It is
// pure: botUser is the bot's own user ID (to strip its mention and to
// recognise its own posts). errSkip means a well-formed event the core does
// not need (joins, unknown types).
func translateCallback(raw []byte, botUser string) (callback, translation, error) {
	var cb callback
	if err := json.Unmarshal(raw, &cb); err != nil {
		return cb, translation{}, fmt.Errorf("decode callback: %w", err)
	}
	if cb.Type != "event_callback" {
		return cb, translation{}, fmt.Errorf("callback type %q: %w", cb.Type, errSkip)
	}
	var ev inner
	if err := json.Unmarshal(cb.Event, &ev); err != nil {
		return cb, translation{}, fmt.Errorf("decode event %s: %w", cb.EventID, err)
	}
	id := "slack:" + cb.EventID
	ch := func(c string) bot.ChannelRef { return bot.ChannelRef{Platform: Platform, Space: cb.TeamID, ID: c} }
	var t translation
	if ev.ChannelType != "" {
		t.PrivacyKnown, t.Private = true, privateType(ev.ChannelType)
	}
	switch ev.Type {
	case "message":
		t.Channel = ev.Channel
		switch {
		case ev.Subtype == "message_changed":
			if ev.Message == nil || ev.Message.TS == "" {
				return cb, t, fmt.Errorf("event %s: message_changed without message", cb.EventID)
			}
			if ev.Message.Subtype == "tombstone" {
				// A deleted message that has replies stays as a tombstone
				// ("This message was deleted."): a deletion, not an edit.
				ref := bot.MessageRef{Channel: ch(ev.Channel), ID: ev.Message.TS, Thread: thread(*ev.Message)}
				t.Events = []bot.Event{bot.MessageDeleted{ID: id, Ref: ref}}
				break
			}
			m := message(*ev.Message, ch(ev.Channel), botUser)
			m.Private = t.Private
			t.Events = []bot.Event{bot.MessageEdited{ID: id, Message: m}}
		case ev.Subtype == "message_deleted":
			ts := ev.DeletedTS
			if ts == "" && ev.PreviousMessage != nil {
				ts = ev.PreviousMessage.TS
			}
			if ts == "" {
				return cb, t, fmt.Errorf("event %s: message_deleted without deleted_ts", cb.EventID)
			}
			ref := bot.MessageRef{Channel: ch(ev.Channel), ID: ts}
			if ev.PreviousMessage != nil {
				ref.Thread = thread(*ev.PreviousMessage)
			}
			t.Events = []bot.Event{bot.MessageDeleted{ID: id, Ref: ref}}
		case wordSubtypes[ev.Subtype]:
			if ev.TS == "" {
				return cb, t, fmt.Errorf("event %s: message without ts", cb.EventID)
			}
			m := message(ev, ch(ev.Channel), botUser)
			m.Private = t.Private
			t.Events = []bot.Event{bot.MessagePosted{ID: id, Message: m}}
			// A DM to the bot is a request; so is nothing the bot wrote itself.
			if ev.ChannelType == "im" && !m.Author.Bot {
				t.Events = append(t.Events, bot.Mentioned{ID: id + ":dm", Message: m, Text: stripMention(ev.Text, botUser), Via: bot.ViaDM})
			}
		default:
			return cb, t, fmt.Errorf("message subtype %q: %w", ev.Subtype, errSkip)
		}
	case "app_mention":
		if ev.TS == "" || ev.Channel == "" {
			return cb, t, fmt.Errorf("event %s: app_mention without ts or channel", cb.EventID)
		}
		t.Channel = ev.Channel
		m := message(ev, ch(ev.Channel), botUser)
		t.Events = []bot.Event{bot.MessagePosted{ID: id + ":msg", Message: m}, bot.Mentioned{ID: id, Message: m, Text: stripMention(ev.Text, botUser), Via: bot.ViaMention}}
	case "reaction_added", "reaction_removed":
		if ev.Item.Type != "message" || ev.Item.Channel == "" || ev.Item.TS == "" {
			return cb, t, fmt.Errorf("reaction on %q: %w", ev.Item.Type, errSkip)
		}
		t.Channel = ev.Item.Channel
		target := bot.MessageRef{Channel: ch(ev.Item.Channel), ID: ev.Item.TS}
		user := bot.User{ID: ev.User, Bot: ev.User == botUser}
		emoji := bot.Emoji{Shortcode: normalizeReaction(ev.Reaction)}
		if ev.Type == "reaction_added" {
			t.Events = []bot.Event{bot.ReactionAdded{ID: id, Target: target, User: user, Emoji: emoji}}
		} else {
			t.Events = []bot.Event{bot.ReactionRemoved{ID: id, Target: target, User: user, Emoji: emoji}}
		}
	case "app_uninstalled", "tokens_revoked":
		if cb.TeamID == "" {
			return cb, t, fmt.Errorf("event %s: %s without team_id", cb.EventID, ev.Type)
		}
		t.Removed, t.PrivacyKnown = true, true
		t.Events = []bot.Event{bot.SpaceRemoved{ID: id, Platform: Platform, Space: cb.TeamID}}
	default:
		return cb, t, fmt.Errorf("event type %q: %w", ev.Type, errSkip)
	}
	return cb, t, nil
}

// translateCommand turns a /repertoire invocation into a request to the
// core, answered through its response_url. An empty command asks for help.
func translateCommand(cmd slashCommand) (bot.Mentioned, error) {
	if cmd.ChannelID == "" || cmd.UserID == "" || cmd.TriggerID == "" {
		return bot.Mentioned{}, fmt.Errorf("slash command: channel_id, user_id and trigger_id are required")
	}
	text := strings.TrimSpace(cmd.Text)
	if text == "" {
		text = "help"
	}
	return bot.Mentioned{
		ID: "slack:cmd:" + cmd.TriggerID,
		Message: bot.Message{
			Ref:    bot.MessageRef{Channel: bot.ChannelRef{Platform: Platform, Space: cmd.TeamID, ID: cmd.ChannelID}},
			Author: bot.User{ID: cmd.UserID, Name: cmd.UserName},
			Text:   cmd.Text,
			// Slack names DMs and private channels this way in commands.
			Private:     cmd.ChannelName == "directmessage" || cmd.ChannelName == "privategroup" || strings.HasPrefix(cmd.ChannelName, "mpdm-"),
			ChannelName: cmd.ChannelName,
		},
		Text:        text,
		Via:         bot.ViaCommand,
		Command:     cmd.Command,
		Interaction: cmd.ResponseURL,
	}, nil
}

// slashCommand is the payload of a slash command (JSON in Socket Mode, a
// form over HTTP).
type slashCommand struct {
	TeamID      string `json:"team_id"`
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	Command     string `json:"command"`
	Text        string `json:"text"`
	ResponseURL string `json:"response_url"`
	TriggerID   string `json:"trigger_id"`
}

func privateType(t string) bool { return t == "group" || t == "im" || t == "mpim" }

func thread(m inner) string {
	if m.ThreadTS == "" || m.ThreadTS == m.TS {
		return ""
	}
	return m.ThreadTS
}

func message(m inner, ch bot.ChannelRef, botUser string) bot.Message {
	return bot.Message{
		Ref:    bot.MessageRef{Channel: ch, ID: m.TS, Thread: thread(m)},
		Author: bot.User{ID: m.User, Name: m.Username, Bot: m.BotID != "" || m.Subtype == "bot_message" || (botUser != "" && m.User == botUser)},
		Text:   m.Text,
		Time:   tsTime(m.TS),
		ToBot:  botUser != "" && strings.Contains(m.Text, "<@"+botUser),
	}
}

// tsTime reads a Slack ts ("1700000000.000100") as a time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC()
}

// mentionOf matches a user mention as Slack encodes it: <@U123> or <@U123|name>.
var mentionOf = regexp.MustCompile(`<@([A-Z0-9]+)(\|[^>]*)?>`)

// stripMention removes the bot's own mentions from text: what is left is the request.
func stripMention(text, botUser string) string {
	out := mentionOf.ReplaceAllStringFunc(text, func(m string) string {
		if mentionOf.FindStringSubmatch(m)[1] == botUser {
			return ""
		}
		return m
	})
	return strings.Join(strings.Fields(out), " ")
}

// normalizeReaction drops colons and a skin-tone suffix: "+1::skin-tone-2" → "+1".
func normalizeReaction(r string) string {
	r = strings.Trim(r, ":")
	if i := strings.Index(r, "::skin-tone-"); i >= 0 {
		r = r[:i]
	}
	return r
}
