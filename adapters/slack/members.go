package slack

import (
	"context"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/bot"
)

var (
	_ bot.MemberChecker = (*Adapter)(nil)
	_ bot.Whisperer     = (*Adapter)(nil)
)

// IsMember implements bot.MemberChecker with conversations.members (a page
// of up to 1,000 members at a time), for the web page's visibility rule:
// the bot is in every private channel and DM it saved from, so it can list
// their members. Channels of another workspace have none of ours.
func (a *Adapter) IsMember(ctx context.Context, ch bot.ChannelRef, userID string) (bool, error) {
	if ch.Platform != Platform || (ch.Space != "" && ch.Space != a.team) {
		return false, nil
	}
	cursor := ""
	for range 100 { // 100,000 members at most: a bound, not a limit anyone meets
		users, next, err := a.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
			ChannelID: ch.ID, Cursor: cursor, Limit: 1000})
		if err != nil {
			return false, fmt.Errorf("slack conversations.members %s: %w", ch.ID, err)
		}
		if slices.Contains(users, userID) {
			return true, nil
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
	return false, nil
}

// Whispers implements bot.Whisperer: chat.postEphemeral shows a message to
// one member of a channel.
func (a *Adapter) Whispers() bool { return true }
