package discord_test

import (
	"testing"

	"github.com/repertoire/repertoire/adapters/discord"
	"github.com/repertoire/repertoire/adapters/discord/discordtest"
)

// The loopback Discord's bot role holds what the invite asks for, so a good
// set-up over it is a good set-up for `repertoire doctor`.
func TestFakeRoleHoldsTheInvitePermissions(t *testing.T) {
	if discordtest.BotInvitePermissions != discord.InvitePermissions {
		t.Errorf("discordtest.BotInvitePermissions = %d, discord.InvitePermissions = %d", discordtest.BotInvitePermissions, discord.InvitePermissions)
	}
}
