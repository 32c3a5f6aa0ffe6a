// Package slackexport reads a Slack workspace export ZIP (channels.json,
// users.json, groups.json, dms.json and mpims.json when present, one JSON file
// per channel per day) as a bot.History: messages with their threads and
// reactions in the core's types. It streams: users are held in memory, a
// channel's messages never are.
package slackexport

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/adapters/exportfile"
	"github.com/repertoire/repertoire/bot"
)

// Options say what the export does not.
type Options struct {
	// Space is the workspace (team) ID the live Slack adapter files entries
	// under; the team_id of users.json when empty.
	Space string
	// URL is the workspace's address (https://acme.slack.com) for permalinks;
	// entries have none when empty.
	URL string
}

// Archive is an opened export.
type Archive struct {
	path  string
	zr    *zip.ReadCloser
	files map[string]*zip.File
	users map[string]bot.User
	units []bot.HistoryUnit
	id    string
	opt   Options
	// unlisted are folders of day files that no channel list names: their
	// messages cannot be placed in a channel, so they are not imported.
	unlisted []string
}

var _ bot.History = (*Archive)(nil)
var _ bot.Addresser = (*Archive)(nil)

// ErrNotExport means the file is not a Slack workspace export.
var ErrNotExport = errors.New("not a Slack workspace export")

// Open checks the archive's structure (a readable ZIP, no entry escaping it,
// users.json and channels.json) and reads its users and channels.
func Open(ctx context.Context, file string, opt Options) (*Archive, error) {
	zr, err := zip.OpenReader(file)
	if errors.Is(err, zip.ErrInsecurePath) {
		return nil, &exportfile.Error{File: file, Err: fmt.Errorf("an entry's path escapes the archive (zip slip): %w", err)}
	}
	if err != nil {
		return nil, &exportfile.Error{File: file, Err: fmt.Errorf("not a readable ZIP archive (truncated or damaged?): %w", err)}
	}
	a := &Archive{path: file, zr: zr, files: map[string]*zip.File{}, users: map[string]bot.User{}, opt: opt}
	if err := a.load(ctx); err != nil {
		zr.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the ZIP file.
func (a *Archive) Close() error { return a.zr.Close() }

func (a *Archive) load(ctx context.Context) error {
	h := sha256.New()
	names := make([]string, 0, len(a.zr.File))
	for _, f := range a.zr.File {
		if strings.Contains(f.Name, `\`) || !filepath.IsLocal(f.Name) {
			return &exportfile.Error{File: a.path, Err: fmt.Errorf("entry %q escapes the archive (zip slip); refusing the whole export", f.Name)}
		}
		if f.FileInfo().IsDir() {
			continue
		}
		a.files[f.Name] = f
		names = append(names, f.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		f := a.files[n]
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", n, f.CRC32, f.UncompressedSize64)
	}
	a.id = "slack:" + hex.EncodeToString(h.Sum(nil))[:32]

	if a.files["channels.json"] == nil || a.files["users.json"] == nil {
		return &exportfile.Error{File: a.path, Err: fmt.Errorf("%w: it needs channels.json and users.json at its top level", ErrNotExport)}
	}
	team := ""
	err := a.each("users.json", func(dec *json.Decoder, _ int) error {
		var u struct {
			ID      string `json:"id"`
			TeamID  string `json:"team_id"`
			Name    string `json:"name"`
			Real    string `json:"real_name"`
			IsBot   bool   `json:"is_bot"`
			Profile struct {
				DisplayName string `json:"display_name"`
				RealName    string `json:"real_name"`
			} `json:"profile"`
		}
		if err := dec.Decode(&u); err != nil {
			return err
		}
		if u.ID == "" {
			return fmt.Errorf("%w: a user without id", ErrNotExport)
		}
		if team == "" {
			team = u.TeamID
		}
		a.users[u.ID] = bot.User{ID: u.ID, Name: firstOf(u.Profile.DisplayName, u.Profile.RealName, u.Real, u.Name), Bot: u.IsBot}
		return nil
	})
	if err != nil {
		return err
	}
	if a.opt.Space == "" {
		a.opt.Space = team
	}
	a.opt.URL = strings.TrimRight(a.opt.URL, "/")
	listed := map[string]bool{}
	for _, list := range []struct {
		file    string
		private bool
		byID    bool // the channel's folder is named by its ID (DMs)
	}{{"channels.json", false, false}, {"groups.json", true, false}, {"mpims.json", true, false}, {"dms.json", true, true}} {
		if a.files[list.file] == nil {
			continue
		}
		var chans []bot.HistoryUnit
		err := a.each(list.file, func(dec *json.Decoder, _ int) error {
			var c struct {
				ID        string `json:"id"`
				Name      string `json:"name"`
				IsPrivate bool   `json:"is_private"` // some exports list private channels in channels.json
			}
			if err := dec.Decode(&c); err != nil {
				return err
			}
			if c.ID == "" || (c.Name == "" && !list.byID) {
				return fmt.Errorf("%w: a channel without id or name", ErrNotExport)
			}
			dir := c.Name
			if list.byID {
				dir = c.ID
			}
			chans = append(chans, bot.HistoryUnit{Key: dir, ChannelName: c.Name, Private: list.private || c.IsPrivate,
				Channel: bot.ChannelRef{Platform: "slack", Space: a.opt.Space, ID: c.ID}})
			return nil
		})
		if err != nil {
			return err
		}
		sort.Slice(chans, func(i, j int) bool { return chans[i].Key < chans[j].Key })
		for _, c := range chans {
			listed[c.Key] = true
			for _, n := range names {
				if path.Dir(n) == c.Key && strings.HasSuffix(n, ".json") {
					u := c
					u.Key = n
					a.units = append(a.units, u)
				}
			}
		}
	}
	folders := map[string]bool{}
	for _, n := range names {
		if dir := path.Dir(n); dir != "." && strings.HasSuffix(n, ".json") && !listed[dir] && !folders[dir] {
			folders[dir] = true
			a.unlisted = append(a.unlisted, dir)
		}
	}
	sort.Strings(a.unlisted)
	return ctx.Err()
}

// Unlisted returns the export's folders of messages that channels.json,
// groups.json, mpims.json and dms.json do not name: they are not imported.
func (a *Archive) Unlisted() []string { return a.unlisted }

// each streams the elements of the JSON array in file to fn.
func (a *Archive) each(file string, fn func(dec *json.Decoder, line int) error) error {
	name := a.path + ":" + file
	rc, err := a.files[file].Open()
	if err != nil {
		return &exportfile.Error{File: name, Err: err}
	}
	defer rc.Close()
	r := exportfile.NewReader(rc)
	dec := json.NewDecoder(r)
	if err := exportfile.Expect(dec, '[', "a JSON array"); err != nil {
		if !errors.Is(err, exportfile.ErrInvalidUTF8) && !isSyntax(err) {
			err = fmt.Errorf("%w: %w", ErrNotExport, err)
		}
		return r.Explain(name, dec, err)
	}
	for dec.More() {
		line := r.NextLine(dec)
		if err := fn(dec, line); err != nil {
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) {
				err = fmt.Errorf("%w: %s holds a %s where an object was expected", ErrNotExport, file, ute.Value)
				return &exportfile.Error{File: name, Line: line, Err: err}
			}
			if errors.Is(err, ErrNotExport) {
				return &exportfile.Error{File: name, Line: line, Err: err}
			}
			return r.Explain(name, dec, err)
		}
	}
	if err := exportfile.Expect(dec, ']', "the end of the array"); err != nil {
		return r.Explain(name, dec, err)
	}
	if err := exportfile.End(dec); err != nil {
		return r.Explain(name, dec, err)
	}
	return nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF)
}

// ID identifies the export by its files' names, sizes and checksums.
func (a *Archive) ID() string { return a.id }

// Units lists the channel-day files, a channel's days in order.
func (a *Archive) Units() []bot.HistoryUnit { return a.units }

// Addresses returns how messages mention the members called name.
func (a *Archive) Addresses(name string) []string {
	var out []string
	for id, u := range a.users {
		if strings.EqualFold(u.Name, name) {
			out = append(out, "<@"+id+">")
		}
	}
	sort.Strings(out)
	return out
}

type message struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Username    string `json:"username"`
	Text        string `json:"text"`
	UserProfile *struct {
		DisplayName string `json:"display_name"`
		RealName    string `json:"real_name"`
		Name        string `json:"name"`
	} `json:"user_profile"`
	Reactions []struct {
		Name  string   `json:"name"`
		Users []string `json:"users"`
	} `json:"reactions"`
}

// Subtypes of messages members write; bot subtypes are posts by bots.
var (
	memberSubtypes = map[string]bool{"": true, "thread_broadcast": true, "reply_broadcast": true, "file_share": true, "me_message": true}
	botSubtypes    = map[string]bool{"bot_message": true, "slackbot_response": true}
	eventSubtypes  = map[string]bool{"channel_join": true, "channel_leave": true, "channel_topic": true,
		"channel_purpose": true, "channel_name": true, "channel_archive": true, "channel_unarchive": true,
		"group_join": true, "group_leave": true, "group_topic": true, "group_purpose": true, "group_name": true,
		"group_archive": true, "group_unarchive": true, "pinned_item": true, "unpinned_item": true,
		"bot_add": true, "bot_remove": true, "bot_enable": true, "bot_disable": true, "reminder_add": true,
		"file_comment": true, "file_mention": true, "tombstone": true, "joiner_notification_for_inviter": true,
		"sh_room_created": true, "huddle_thread": true, "message_changed": true, "message_deleted": true,
		"channel_convert_to_private": true, "channel_convert_to_public": true, "channel_posting_permissions": true}
)

// Read streams a channel-day file's messages.
func (a *Archive) Read(ctx context.Context, u bot.HistoryUnit, visit func(bot.HistoryMessage) error) error {
	if a.files[u.Key] == nil {
		return &exportfile.Error{File: a.path + ":" + u.Key, Err: errors.New("no such file in the archive")}
	}
	n := 0
	return a.each(u.Key, func(dec *json.Decoder, line int) error {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var m message
		if err := dec.Decode(&m); err != nil {
			return err
		}
		hm := a.translate(u, m)
		hm.Line = line
		return visit(hm)
	})
}

// translate turns an export message into the core's, or says why it cannot.
func (a *Archive) translate(u bot.HistoryUnit, m message) bot.HistoryMessage {
	var hm bot.HistoryMessage
	t, ok := parseTS(m.TS)
	switch {
	case m.Type != "message":
		hm.Skip = "not a message"
		return hm
	case !ok:
		hm.Skip = "message without a valid ts"
		return hm
	case eventSubtypes[m.Subtype]:
		hm.Skip = "channel event (join, topic, pin…)"
		return hm
	case !memberSubtypes[m.Subtype] && !botSubtypes[m.Subtype]:
		hm.Skip = fmt.Sprintf("unknown message subtype %q", m.Subtype)
		return hm
	}
	ref := bot.MessageRef{Channel: u.Channel, ID: m.TS}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		ref.Thread = m.ThreadTS
	}
	hm.Message = bot.Message{Ref: ref, Text: m.Text, Time: t, ChannelName: u.ChannelName, Private: u.Private,
		Author: a.user(m.User, m)}
	if botSubtypes[m.Subtype] || (m.User == "" && m.BotID != "") {
		hm.Author = bot.User{ID: firstOf(m.BotID, m.User, m.Username), Name: firstOf(m.Username, m.BotID), Bot: true}
	}
	if a.opt.URL != "" {
		hm.Link = a.opt.URL + "/archives/" + u.Channel.ID + "/p" + strings.Replace(m.TS, ".", "", 1)
		if ref.Thread != "" {
			hm.Link += "?thread_ts=" + ref.Thread + "&cid=" + u.Channel.ID
		}
	}
	for _, r := range m.Reactions {
		for _, id := range r.Users {
			hm.Reactions = append(hm.Reactions, bot.Reaction{User: a.user(id, message{}), Emoji: bot.Emoji{Shortcode: r.Name}})
		}
	}
	return hm
}

// user names a member from users.json, else from the message's own profile;
// Name stays empty for a member the export does not know.
func (a *Archive) user(id string, m message) bot.User {
	if u, ok := a.users[id]; ok {
		return u
	}
	u := bot.User{ID: id}
	if m.UserProfile != nil {
		u.Name = firstOf(m.UserProfile.DisplayName, m.UserProfile.RealName, m.UserProfile.Name)
	}
	return u
}

// parseTS reads a Slack timestamp ("1454884927.000002").
func parseTS(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return time.Time{}, false
	}
	var us int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		us, err = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		if err != nil {
			return time.Time{}, false
		}
	}
	return time.Unix(s, us*1000).UTC(), true
}

func firstOf(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
