package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/internal/doctor"
)

// permAdministrator grants every permission.
const permAdministrator = 1 << 3

// permissionNames names InvitePermissions' bits as Discord's settings do.
var permissionNames = []struct {
	bit  int64
	name string
}{
	{permViewChannel, "View Channels"},
	{permSendMessages, "Send Messages"},
	{permSendMessagesInThreads, "Send Messages in Threads"},
	{permAddReactions, "Add Reactions"},
	{permReadMessageHistory, "Read Message History"},
}

// maxDoctorGuilds bounds the servers whose permissions the doctor reads
// (two requests each).
const maxDoctorGuilds = 50

// Doctor checks a Discord set-up and records what it finds in l: the token
// (GET /users/@me), the Message Content intent (the application's flags),
// the bot's permissions in each server against InvitePermissions (its
// roles' permissions, from the server's roles and its member record), and
// the application commands registered against Commands(). It only reads.
func Doctor(ctx context.Context, cfg Config, l *doctor.List) {
	a, err := New(cfg, nil)
	if err != nil {
		l.Fail("Discord: "+err.Error(), "set DISCORD_TOKEN to the bot's token and DISCORD_API_URL to an http(s) URL (or leave it unset)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	opt := discordgo.WithContext(ctx)
	me, err := a.s.User("@me", opt)
	if err != nil {
		l.Fail("Discord token: GET /users/@me: "+err.Error(), unreachableOr(err, cfg,
			"check DISCORD_TOKEN: copy the bot's token from the Developer Portal (Bot → Reset Token); it is not the client secret"))
		return
	}
	if !me.Bot {
		l.Fail("Discord token: it belongs to "+me.Username+", who is not a bot", "use the token from your application's Bot page, not a user's")
		return
	}
	l.OK(fmt.Sprintf("Discord token: bot %s (%s)", me.Username, me.ID))

	var app wireApplication
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointApplication("@me"), nil, discordgo.EndpointApplication("@me"), opt)
	if err == nil {
		err = json.Unmarshal(body, &app)
	}
	if err != nil || app.ID == "" {
		if err == nil {
			err = errors.New("no id in the answer")
		}
		l.Fail("Discord application: GET /applications/@me: "+err.Error(), unreachableOr(err, cfg, "check DISCORD_TOKEN"))
		return
	}
	if app.Flags&(flagMessageContent|flagMessageContentLimited) == 0 {
		l.Fail("Discord Message Content intent: off, so reactions cannot capture messages (Discord sends their text empty) and edits are not followed",
			"in the Developer Portal, open the application → Bot → Privileged Gateway Intents, turn on Message Content Intent, and restart the bot")
	} else {
		l.OK("Discord Message Content intent: enabled")
	}

	doctorShards(a, opt, l)
	doctorGuilds(a, me.ID, app.ID, opt, l)
	doctorCommands(a, app.ID, opt, l)
}

// doctorShards says which gateway shards this process runs, which the
// other replicas must run, and whether Discord recommends more shards
// (GET /gateway/bot).
func doctorShards(a *Adapter, opt discordgo.RequestOption, l *doctor.List) {
	var gw struct {
		Shards int `json:"shards"`
	}
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointGatewayBot, nil, discordgo.EndpointGatewayBot, opt)
	if err == nil {
		err = json.Unmarshal(body, &gw)
	}
	if err != nil {
		l.Fail("Discord shards: GET /gateway/bot: "+err.Error(), "retry; check status.discord.com")
		return
	}
	set := a.Shards()
	what := "Discord shards: this process runs all of them (" + set.String() + ")"
	if !set.All() {
		var others []string
		for id := range set.Count {
			if !slices.Contains(set.IDs, id) {
				others = append(others, fmt.Sprint(id))
			}
		}
		what = fmt.Sprintf("Discord shards: this process runs %s; the other replicas must run shard %s of %d, each once", set, strings.Join(others, ", "), set.Count)
	}
	if gw.Shards > set.Count {
		l.Warn(fmt.Sprintf("%s, but Discord recommends %d shards", what, gw.Shards),
			"raise the count of REPERTOIRE_DISCORD_SHARDS on every replica and split the shards among them (past 2,500 guilds a shard, Discord refuses the connection)")
		return
	}
	l.OK(what)
}

// unreachableOr is fix for Discord's own refusals, and a network fix for
// anything else.
func unreachableOr(err error, cfg Config, fix string) string {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return fix
	}
	base := cfg.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	return "Discord did not answer: check DISCORD_API_URL (" + base + ") and that this host reaches it (proxy, firewall, DNS)"
}

func doctorGuilds(a *Adapter, botID, appID string, opt discordgo.RequestOption, l *doctor.List) {
	var guilds []*discordgo.UserGuild
	after := ""
	for len(guilds) < maxDoctorGuilds {
		page, err := a.s.UserGuilds(200, "", after, false, opt)
		if err != nil {
			l.Fail("Discord servers: GET /users/@me/guilds: "+err.Error(), "retry; check status.discord.com")
			return
		}
		guilds = append(guilds, page...)
		if len(page) < 200 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(guilds) == 0 {
		l.Warn("Discord servers: the bot is in none", "a server admin opens the invite link that `repertoire discord-invite` prints")
		return
	}
	invite := "a server admin re-opens the invite link (`repertoire discord-invite`), which asks for exactly these, or grants them to the bot's role in Server Settings → Roles"
	for _, g := range guilds[:min(len(guilds), maxDoctorGuilds)] {
		where := fmt.Sprintf("Discord server %s (%s)", g.Name, g.ID)
		perms, err := guildPermissions(a, g.ID, botID, opt)
		if err != nil {
			l.Fail(where+": "+err.Error(), "retry; the bot may have been removed from the server meanwhile")
			continue
		}
		var missing []string
		for _, p := range permissionNames {
			if perms&permAdministrator == 0 && perms&p.bit == 0 {
				missing = append(missing, p.name)
			}
		}
		if len(missing) > 0 {
			l.Fail(where+": the bot lacks "+strings.Join(missing, ", "), invite)
			continue
		}
		l.OK(where + ": the bot has the permissions the invite asks for (channels can still deny them)")
	}
	if len(guilds) > maxDoctorGuilds {
		l.Warn(fmt.Sprintf("Discord servers: checked the first %d only", maxDoctorGuilds), "")
	}
}

// guildPermissions is the bot's server-wide permissions: the @everyone
// role's (its ID is the server's) and those of the roles it holds.
func guildPermissions(a *Adapter, guildID, botID string, opt discordgo.RequestOption) (int64, error) {
	g, err := a.s.Guild(guildID, opt)
	if err != nil {
		return 0, fmt.Errorf("GET /guilds/{id}: %w", err)
	}
	m, err := a.s.GuildMember(guildID, botID, opt)
	if err != nil {
		return 0, fmt.Errorf("GET /guilds/{id}/members/{bot}: %w", err)
	}
	if g.OwnerID == botID {
		return permAdministrator, nil
	}
	var perms int64
	for _, r := range g.Roles {
		if r.ID == guildID || slices.Contains(m.Roles, r.ID) {
			perms |= r.Permissions
		}
	}
	return perms, nil
}

// doctorCommands compares the application's global commands with
// Commands(), which Run registers at start.
func doctorCommands(a *Adapter, appID string, opt discordgo.RequestOption, l *doctor.List) {
	url := discordgo.EndpointApplicationGlobalCommands(appID)
	body, err := a.s.RequestWithBucketID(http.MethodGet, url, nil, url, opt)
	var got []wireCommand
	if err == nil {
		err = json.Unmarshal(body, &got)
	}
	if err != nil {
		l.Fail("Discord commands: GET /applications/{id}/commands: "+err.Error(), "retry; check status.discord.com")
		return
	}
	registered := map[string]string{}
	for _, c := range got {
		raw, _ := json.Marshal(c)
		registered[c.Name] = string(raw)
	}
	restart := "start the bot (repertoire run): it registers its commands at start; Discord's clients show them within a minute"
	var missing, stale []string
	for _, c := range Commands() {
		raw, _ := json.Marshal(c)
		have, ok := registered[c.Name]
		switch {
		case !ok:
			missing = append(missing, c.Name)
		case have != string(raw):
			stale = append(stale, c.Name)
		}
		delete(registered, c.Name)
	}
	switch {
	case len(missing) > 0:
		l.Fail("Discord commands: not registered: "+strings.Join(missing, ", "), restart)
	case len(stale) > 0:
		l.Fail("Discord commands: registered by another version: "+strings.Join(stale, ", "), restart)
	case len(registered) > 0:
		l.Warn(fmt.Sprintf("Discord commands: all %d registered, and %d the bot does not answer", len(Commands()), len(registered)), restart+" (its registration replaces them)")
	default:
		l.OK(fmt.Sprintf("Discord commands: all %d registered", len(Commands())))
	}
}
