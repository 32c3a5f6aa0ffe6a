package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/bot"
)

// memberTTL is how long a guild membership answer is reused.
const memberTTL = 10 * time.Minute

// members answers whether a user belongs to a guild, from GET
// guilds/{guild}/members/{user} (no privileged intent needed), cached.
type members struct {
	mu    sync.Mutex
	known map[[2]string]membership
}

type membership struct {
	member bool
	at     time.Time
}

// withSpaces fills Spaces of a request made outside any guild (a DM) with
// the guilds the bot shares with the member: recall then shows their public
// entries, and nothing of the guilds the member is not in.
func (a *Adapter) withSpaces(ctx context.Context, evs []bot.Event) {
	for i, ev := range evs {
		m, ok := ev.(bot.Mentioned)
		if !ok || m.Message.Ref.Channel.Space != "" || m.Message.Author.ID == "" {
			continue
		}
		for _, g := range a.guildIDs(ctx) {
			if a.isMember(ctx, g, m.Message.Author.ID) {
				m.Spaces = append(m.Spaces, g)
			}
		}
		evs[i] = m
	}
}

// isMember reports whether user is a member of guild. An error other than
// Discord's "Unknown Member" answers no (nothing is shown) and is not cached.
func (a *Adapter) isMember(ctx context.Context, guild, user string) bool {
	key := [2]string{guild, user}
	a.members.mu.Lock()
	if a.members.known == nil {
		a.members.known = map[[2]string]membership{}
	}
	if m, ok := a.members.known[key]; ok && time.Since(m.at) < memberTTL {
		a.members.mu.Unlock()
		return m.member
	}
	a.members.mu.Unlock()
	_, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointGuildMember(guild, user), nil,
		discordgo.EndpointGuildMember(guild, ""), discordgo.WithContext(ctx))
	var rest *discordgo.RESTError
	switch {
	case err == nil:
	case errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound:
	default:
		a.log.WarnContext(ctx, "guild membership unknown (its entries are not shown in the DM)", "guild", guild, logErr, err)
		return false
	}
	a.members.mu.Lock()
	defer a.members.mu.Unlock()
	a.members.known[key] = membership{member: err == nil, at: time.Now()}
	// Forget answers past their time so the cache stays as small as its use.
	for k, m := range a.members.known {
		if time.Since(m.at) >= memberTTL {
			delete(a.members.known, k)
		}
	}
	return err == nil
}

// guildIDs lists the guilds the bot is in, sorted.
func (s *state) guildIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, c := range s.channels {
		if c.Guild != "" && !seen[c.Guild] {
			seen[c.Guild] = true
			out = append(out, c.Guild)
		}
	}
	slices.Sort(out)
	return out
}
