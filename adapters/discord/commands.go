package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// contextSave is the message context-menu command's name.
const contextSave = "Save to repertoire"

// wireCommand is an application command as PUT /applications/{id}/commands takes it.
type wireCommand struct {
	Name        string       `json:"name"`
	Type        int          `json:"type"`
	Description string       `json:"description,omitempty"`
	Options     []wireCmdOpt `json:"options,omitempty"`
}

type wireCmdOpt struct {
	Name        string       `json:"name"`
	Type        int          `json:"type"`
	Description string       `json:"description"`
	Required    bool         `json:"required,omitempty"`
	Options     []wireCmdOpt `json:"options,omitempty"`
	Choices     []wireChoice `json:"choices,omitempty"`
}

type wireChoice struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

const optString = 3

// Commands are the application commands registered at start: /ask, /save,
// /repertoire help|digest and the "Save to repertoire" message menu.
// Registering them globally in one PUT replaces what an older version left.
func Commands() []wireCommand {
	kinds := []wireChoice{{"tip", "tip"}, {"solution", "solution"}, {"story", "story"}, {"how-we-do", "how-we-do"}}
	return []wireCommand{
		{Name: "ask", Type: commandChatInput, Description: "Find what the community already knows",
			Options: []wireCmdOpt{{Name: "question", Type: optString, Description: "Your question", Required: true}}},
		{Name: "save", Type: commandChatInput, Description: "Save this thread's question and best reply",
			Options: []wireCmdOpt{
				{Name: "kind", Type: optString, Description: "What kind of entry", Choices: kinds},
				{Name: "tags", Type: optString, Description: "#tags for the entry"},
			}},
		{Name: "repertoire", Type: commandChatInput, Description: "Repertoire help and settings",
			Options: []wireCmdOpt{
				{Name: "help", Type: optionSubcommand, Description: "What the bot can do"},
				{Name: "digest", Type: optionSubcommand, Description: "Weekly digest settings",
					Options: []wireCmdOpt{{Name: "setting", Type: optString, Description: "on, off, or a schedule"}}},
			}},
		{Name: contextSave, Type: commandMessage},
	}
}

// Permissions the bot needs in a channel, and nothing more.
const (
	permAddReactions          = 1 << 6
	permSendMessages          = 1 << 11
	permReadMessageHistory    = 1 << 16
	permSendMessagesInThreads = 1 << 38
	// InvitePermissions: read channels, post answers (also in threads),
	// react to acknowledge a capture, and read history to fetch a reacted
	// message not seen since start.
	InvitePermissions = permViewChannel | permSendMessages | permSendMessagesInThreads | permAddReactions | permReadMessageHistory
)

// InviteURL is the link a server admin opens to add the bot: the bot and
// application command scopes with exactly InvitePermissions.
func InviteURL(applicationID string) string {
	q := url.Values{}
	q.Set("client_id", applicationID)
	q.Set("scope", "bot applications.commands")
	q.Set("permissions", strconv.FormatUint(InvitePermissions, 10))
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// ApplicationID asks Discord which application the token belongs to.
func (a *Adapter) ApplicationID(ctx context.Context) (string, error) {
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointApplication("@me"), nil,
		discordgo.EndpointApplication("@me"), discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: read application (is DISCORD_TOKEN right?): %w", err)
	}
	var app wireApplication
	if err := json.Unmarshal(body, &app); err != nil || app.ID == "" {
		return "", errors.New("discord: read application: unexpected answer")
	}
	return app.ID, nil
}

// PrintInvite writes the invite URL for the token's application to w: what
// `repertoire discord-invite` prints.
func PrintInvite(ctx context.Context, cfg Config, w io.Writer) error {
	a, err := New(cfg, nil)
	if err != nil {
		return err
	}
	id, err := a.ApplicationID(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, InviteURL(id))
	return err
}
