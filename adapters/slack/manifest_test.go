package slack

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// What the adapter uses, and why; the manifest must ask for exactly this.
var (
	usedScopes = []string{
		"app_mentions:read", // app_mention: recall by @repertoire
		"channels:history",  // message.channels, conversations.replies/history on a cache miss
		"channels:read",     // conversations.info: is a channel private?
		"chat:write",        // chat.postMessage, chat.postEphemeral
		"commands",          // /repertoire
		"groups:history",    // message.groups (private channels)
		"groups:read",       // conversations.info for private channels
		"im:history",        // message.im (DMs to the bot)
		"im:read",           // conversations.info for DMs
		"reactions:read",    // reaction_added / reaction_removed: capture
		"reactions:write",   // reactions.add: the quiet acknowledgement
		"users:read",        // users.info: display names for credits
	}
	usedEvents = []string{"app_mention", "app_uninstalled", "message.channels", "message.groups", "message.im",
		"reaction_added", "reaction_removed", "tokens_revoked"}
)

func TestManifestAsksForExactlyWhatIsUsed(t *testing.T) {
	raw, err := os.ReadFile("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `json:"command"`
			} `json:"slash_commands"`
		} `json:"features"`
		OAuth struct {
			Scopes struct {
				Bot  []string `json:"bot"`
				User []string `json:"user"`
			} `json:"scopes"`
		} `json:"oauth_config"`
		Settings struct {
			Events struct {
				Bot  []string `json:"bot_events"`
				User []string `json:"user_events"`
			} `json:"event_subscriptions"`
			SocketMode    bool `json:"socket_mode_enabled"`
			Interactivity struct {
				Enabled bool   `json:"is_enabled"`
				URL     string `json:"request_url"`
			} `json:"interactivity"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	// The feedback buttons (block_actions) need interactivity, at the
	// endpoint Routes serves for the Events API.
	if i := m.Settings.Interactivity; !i.Enabled || !strings.HasSuffix(i.URL, "/slack/interactions") {
		t.Errorf("interactivity %+v: the feedback buttons need it, at /slack/interactions", i)
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	if got := sorted(m.OAuth.Scopes.Bot); !slices.Equal(got, sorted(usedScopes)) || len(m.OAuth.Scopes.User) > 0 {
		t.Errorf("scopes %v, want %v", got, sorted(usedScopes))
	}
	if got := sorted(m.Settings.Events.Bot); !slices.Equal(got, sorted(usedEvents)) || len(m.Settings.Events.User) > 0 {
		t.Errorf("events %v, want %v", got, sorted(usedEvents))
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/repertoire" || !m.Settings.SocketMode {
		t.Errorf("slash commands %+v, socket mode %v", m.Features.SlashCommands, m.Settings.SocketMode)
	}
}
