// Package discordexport reads DiscordChatExporter JSON files (guild, channel,
// messages with author, reactions and reply references) as a bot.History. It
// streams each file's messages array token by token; nothing but the file's
// header is held in memory.
package discordexport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/repertoire/repertoire/adapters/exportfile"
	"github.com/repertoire/repertoire/bot"
)

// Export is a set of DiscordChatExporter files, one channel each.
type Export struct {
	units []bot.HistoryUnit
	guild map[string]string // unit key → guild ID for permalinks ("@me" for DMs)
	id    string
}

var _ bot.History = (*Export)(nil)

// ErrNotExport means a file is not a DiscordChatExporter JSON export.
var ErrNotExport = errors.New("not a DiscordChatExporter JSON export")

type header struct {
	Guild struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"guild"`
	Channel struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"channel"`
}

// Open reads each file's guild and channel and hashes the files' content
// (the export's identity for resuming).
func Open(ctx context.Context, files ...string) (*Export, error) {
	e := &Export{guild: map[string]string{}}
	all := sha256.New()
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var h header
		err := walk(ctx, file, &h, nil)
		if err != nil {
			return nil, err
		}
		sum, err := hashFile(file)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(all, "%s\n", sum)
		private := h.Channel.Type == "DirectTextChat" || h.Channel.Type == "DirectGroupTextChat" || h.Channel.Type == "GuildPrivateThread"
		space, guild := h.Guild.ID, h.Guild.ID
		if h.Channel.Type == "DirectTextChat" || h.Channel.Type == "DirectGroupTextChat" {
			space, guild = "", "@me"
		}
		e.guild[file] = guild
		e.units = append(e.units, bot.HistoryUnit{Key: file, ChannelName: h.Channel.Name, Private: private,
			Channel: bot.ChannelRef{Platform: "discord", Space: space, ID: h.Channel.ID}})
	}
	e.id = "discord:" + hex.EncodeToString(all.Sum(nil))[:32]
	return e, nil
}

func hashFile(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", &exportfile.Error{File: file, Err: err}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ID identifies the files by their content.
func (e *Export) ID() string { return e.id }

// Units is one unit per file, in the order given.
func (e *Export) Units() []bot.HistoryUnit { return e.units }

type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Nickname string `json:"nickname"`
	IsBot    bool   `json:"isBot"`
}

func (u user) core() bot.User {
	name := u.Nickname
	if name == "" {
		name = u.Name
	}
	return bot.User{ID: u.ID, Name: name, Bot: u.IsBot}
}

type message struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Content   string    `json:"content"`
	Author    user      `json:"author"`
	Reactions []struct {
		Emoji struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Code string `json:"code"`
		} `json:"emoji"`
		Count int     `json:"count"`
		Users *[]user `json:"users"`
	} `json:"reactions"`
	Reference *struct {
		MessageID string `json:"messageId"`
		ChannelID string `json:"channelId"`
	} `json:"reference"`
}

// Message types members write; the others are events (joins, pins, calls…).
var (
	memberTypes = map[string]bool{"Default": true, "Reply": true}
	eventTypes  = map[string]bool{"RecipientAdd": true, "RecipientRemove": true, "Call": true,
		"ChannelNameChange": true, "ChannelIconChange": true, "ChannelPinnedMessage": true, "GuildMemberJoin": true,
		"ThreadCreated": true, "ThreadStarterMessage": true, "ChatInputCommand": true, "ContextMenuCommand": true,
		"UserPremiumGuildSubscription": true, "ChannelFollowAdd": true, "AutoModerationAction": true}
)

// Read streams a file's messages.
func (e *Export) Read(ctx context.Context, u bot.HistoryUnit, visit func(bot.HistoryMessage) error) error {
	var h header
	n := 0
	return walk(ctx, u.Key, &h, func(m message, line int) error {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		hm := bot.HistoryMessage{Line: line}
		switch {
		case eventTypes[m.Type]:
			hm.Skip = "channel event (join, pin, call…)"
			return visit(hm)
		case !memberTypes[m.Type]:
			hm.Skip = fmt.Sprintf("unknown message type %q", m.Type)
			return visit(hm)
		case m.ID == "" || m.Timestamp.IsZero():
			hm.Skip = "message without id or timestamp"
			return visit(hm)
		}
		ref := bot.MessageRef{Channel: u.Channel, ID: m.ID}
		if m.Reference != nil && m.Reference.MessageID != "" && (m.Reference.ChannelID == "" || m.Reference.ChannelID == u.Channel.ID) {
			ref.Thread = m.Reference.MessageID
		}
		hm.Message = bot.Message{Ref: ref, Author: m.Author.core(), Text: m.Content, Time: m.Timestamp.UTC(),
			ChannelName: u.ChannelName, Private: u.Private,
			Link: "https://discord.com/channels/" + e.guild[u.Key] + "/" + u.Channel.ID + "/" + m.ID}
		for _, r := range m.Reactions {
			emoji := bot.Emoji{Unicode: r.Emoji.Name, Shortcode: r.Emoji.Code}
			if r.Emoji.ID != "" {
				emoji = bot.Emoji{Shortcode: r.Emoji.Name} // a custom emoji has a name, no unicode
			}
			if r.Users == nil {
				// Exports before DiscordChatExporter 2.40 count reactions
				// without naming who reacted: reactors nobody can credit.
				for range min(r.Count, 100) {
					hm.Reactions = append(hm.Reactions, bot.Reaction{Emoji: emoji})
				}
				continue
			}
			for _, ru := range *r.Users {
				hm.Reactions = append(hm.Reactions, bot.Reaction{User: ru.core(), Emoji: emoji})
			}
		}
		return visit(hm)
	})
}

// walk decodes a file's header into h and streams its messages to fn (only
// the header when fn is nil).
func walk(ctx context.Context, file string, h *header, fn func(message, int) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	r := exportfile.NewReader(f)
	dec := json.NewDecoder(r)
	fail := func(err error) error { return r.Explain(file, dec, err) }
	notExport := func(why string) error {
		return &exportfile.Error{File: file, Line: r.Line(dec.InputOffset()), Err: fmt.Errorf("%w: %s", ErrNotExport, why)}
	}
	if err := exportfile.Expect(dec, '{', "a JSON object"); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, exportfile.ErrInvalidUTF8) {
			return fail(err)
		}
		return notExport(err.Error())
	}
	sawMessages := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		r.Mark()
		switch tok {
		case "guild":
			if err := dec.Decode(&h.Guild); err != nil {
				return fail(err)
			}
		case "channel":
			if err := dec.Decode(&h.Channel); err != nil {
				return fail(err)
			}
		case "messages":
			if h.Channel.ID == "" || h.Guild.ID == "" {
				return notExport(`"messages" before "guild" and "channel"`)
			}
			sawMessages = true
			if fn == nil {
				return nil
			}
			if err := exportfile.Expect(dec, '[', "a list of messages"); err != nil {
				return fail(err)
			}
			for dec.More() {
				line := r.NextLine(dec)
				var m message
				if err := dec.Decode(&m); err != nil {
					return fail(err)
				}
				if err := fn(m, line); err != nil {
					return &exportfile.Error{File: file, Line: line, Err: err}
				}
			}
			if err := exportfile.Expect(dec, ']', "the end of the messages"); err != nil {
				return fail(err)
			}
		default:
			var skip json.RawMessage // dateRange, exportedAt, messageCount: small values
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if !sawMessages {
		return notExport(`no "guild", "channel" and "messages"`)
	}
	if err := exportfile.Expect(dec, '}', "the end of the export"); err != nil {
		return fail(err)
	}
	if err := exportfile.End(dec); err != nil {
		return fail(err)
	}
	return ctx.Err()
}
