package discord

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/repertoire/repertoire/bot"
)

// shard is one gateway connection: its own discordgo session (IDENTIFY
// with shard [id, count]), the monitor of its socket and its session ID.
type shard struct {
	id, count int
	s         *discordgo.Session
	mon       *gatewayMonitor
	log       *slog.Logger

	mu      sync.Mutex
	session string // from the last READY
}

func (sh *shard) sessionID() string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.session
}

func (sh *shard) setSession(id string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.session = id
}

// identifyEvery is how far apart Discord wants the IDENTIFYs of shards that
// share a rate-limit bucket (shard_id % max_concurrency).
const identifyEvery = 5 * time.Second

// runShards runs every shard's session until ctx ends (nil) or one of them
// meets a fatal close code, which stops them all and is returned.
func (a *Adapter) runShards(ctx context.Context, h bot.Handler) error {
	delays := a.identifyDelays(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(a.shards))
	var wg sync.WaitGroup
	for i, sh := range a.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = a.runShard(ctx, h, sh, delays[i]); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	a.stopInteractions()
	return errors.Join(errs...)
}

// identifyDelays spaces the first IDENTIFY of this process's shards as
// Discord asks: shards in one bucket (shard_id % max_concurrency, from GET
// /gateway/bot) five seconds apart. It also warns when Discord recommends
// more shards than the configuration has (past 2,500 guilds a shard,
// Discord closes the gateway with 4011).
func (a *Adapter) identifyDelays(ctx context.Context) []time.Duration {
	delays := make([]time.Duration, len(a.shards))
	var gw struct {
		Shards int `json:"shards"`
		Limit  struct {
			MaxConcurrency int `json:"max_concurrency"`
		} `json:"session_start_limit"`
	}
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointGatewayBot, nil, discordgo.EndpointGatewayBot, discordgo.WithContext(ctx))
	if err == nil {
		err = json.Unmarshal(body, &gw)
	}
	if err != nil {
		a.log.WarnContext(ctx, "read GET /gateway/bot (shards connect five seconds apart)", logErr, err)
	}
	if gw.Shards > a.set.Count {
		a.log.WarnContext(ctx, "Discord recommends more shards than REPERTOIRE_DISCORD_SHARDS' count: raise the count on every replica",
			"recommended", gw.Shards, "count", a.set.Count)
	}
	mc := max(gw.Limit.MaxConcurrency, 1)
	inBucket := map[int]int{}
	for i, sh := range a.shards {
		b := sh.id % mc
		delays[i] = time.Duration(inBucket[b]) * identifyEvery
		inBucket[b]++
	}
	return delays
}

// runShard connects one shard after delay and delivers its events to h in
// gateway order until ctx is done (nil) or Discord closes with a
// non-reconnectable code (*FatalCloseError).
func (a *Adapter) runShard(ctx context.Context, h bot.Handler, sh *shard, delay time.Duration) error {
	done := make(chan struct{})
	queue := make(chan *discordgo.Event, 256)
	disconnected := make(chan struct{}, 1)
	removeRaw := sh.s.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) {
		if e.Operation != 0 {
			return
		}
		select {
		case queue <- e:
		case <-done:
		}
	})
	defer removeRaw()
	removeDisc := sh.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case disconnected <- struct{}{}:
		default:
		}
	})
	defer removeDisc()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Once Run is stopping, what the gateway delivered is still applied
		// (a restart, a new session, would not replay it), within drainTimeout.
		var (
			dctx   context.Context
			cancel context.CancelFunc = func() {}
		)
		defer func() { cancel() }()
		stopping := func() context.Context {
			if dctx == nil {
				dctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
			}
			return dctx
		}
		for {
			select {
			case <-done:
				for stopping().Err() == nil {
					select {
					case e := <-queue:
						a.take(dctx, h, sh, e)
					default:
						return
					}
				}
				sh.log.WarnContext(dctx, "stopped before applying every delivered event", "left", len(queue))
				return
			case e := <-queue:
				if ctx.Err() != nil {
					a.take(stopping(), h, sh, e)
					continue
				}
				if e.Type == "READY" && !a.registered.Load() && a.registerCommands(ctx) == nil {
					a.registered.Store(true)
				}
				a.take(ctx, h, sh, e)
			}
		}
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()

	if delay > 0 {
		sh.log.InfoContext(ctx, "waiting to identify, as Discord spaces a bucket's shards", "for", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
	err := a.supervise(ctx, sh, disconnected)
	// Close sends the close frame and waits a second; reconnecting is off,
	// so nothing reopens the session behind us.
	if cerr := sh.s.Close(); cerr != nil {
		sh.log.WarnContext(ctx, "close gateway", logErr, cerr)
	}
	return err
}

// supervise opens a shard's gateway, and opens it again (discordgo resumes)
// after every disconnect until ctx ends or Discord closes with a fatal
// code. It also closes a zombied socket: no heartbeat ACK for 1.5
// heartbeat intervals (checked eight times an interval) means detection
// within two.
func (a *Adapter) supervise(ctx context.Context, sh *shard, disconnected <-chan struct{}) error {
	if err := sh.open(ctx); err != nil {
		return err
	}
	check := time.NewTicker(sh.checkEvery())
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-disconnected:
			if code, reason := sh.mon.lastClose(); fatalClose(code) {
				return &FatalCloseError{Code: code, Reason: reason}
			}
			sh.log.InfoContext(ctx, "gateway disconnected, resuming")
			if err := sh.open(ctx); err != nil {
				return err
			}
			check.Reset(sh.checkEvery())
		case <-check.C:
			iv := sh.mon.heartbeatInterval()
			sh.s.RLock()
			last, ready := sh.s.LastHeartbeatAck, sh.s.DataReady
			sh.s.RUnlock()
			if ready && iv > 0 && time.Since(last) > iv+iv/2 {
				sh.log.WarnContext(ctx, "no heartbeat ACK: closing the zombied gateway connection", "since", time.Since(last).Round(time.Millisecond))
				sh.mon.drop()
			}
		}
	}
}

func (sh *shard) checkEvery() time.Duration {
	iv := sh.mon.heartbeatInterval()
	if iv <= 0 {
		return time.Second
	}
	return max(iv/8, time.Millisecond)
}

// open connects, retrying with backoff; a fatal close code ends it.
func (sh *shard) open(ctx context.Context) error {
	wait := 500 * time.Millisecond
	for {
		err := sh.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if code, reason := sh.mon.lastClose(); fatalClose(code) {
			return &FatalCloseError{Code: code, Reason: reason}
		}
		sh.log.WarnContext(ctx, "gateway connect failed, retrying", logErr, err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}

// guildListTTL is how long the list of the bot's guilds is reused.
const guildListTTL = 5 * time.Minute

// guildList caches every guild the bot is in (GET /users/@me/guilds).
type guildList struct {
	mu  sync.Mutex
	ids []string
	at  time.Time
}

// guildIDs lists the guilds the bot is in, sorted. A process that runs
// every shard knows them from their GUILD_CREATEs; one that runs some of
// the shards asks REST (cached), since a DM reaches shard 0 from a member
// of any guild. On a REST failure it answers what it knows.
func (a *Adapter) guildIDs(ctx context.Context) []string {
	if a.set.All() {
		return a.st.guildIDs()
	}
	a.guilds.mu.Lock()
	defer a.guilds.mu.Unlock()
	if a.guilds.ids != nil && time.Since(a.guilds.at) < guildListTTL {
		return a.guilds.ids
	}
	var ids []string
	after := ""
	for {
		page, err := a.s.UserGuilds(200, "", after, false, discordgo.WithContext(ctx))
		if err != nil {
			a.log.WarnContext(ctx, "list the bot's guilds (a DM shows entries of the guilds this process's shards know)", logErr, err)
			known := append(slices.Clone(a.guilds.ids), a.st.guildIDs()...)
			slices.Sort(known)
			return slices.Compact(known)
		}
		for _, g := range page {
			ids = append(ids, g.ID)
		}
		if len(page) < 200 {
			break
		}
		after = page[len(page)-1].ID
	}
	slices.Sort(ids)
	a.guilds.ids, a.guilds.at = ids, time.Now()
	return ids
}

// noBotRole marks a guild whose roles were read and hold no role of the
// bot's, so they are not read again.
const noBotRole = "-"

// ensureBotRole learns the bot's managed role in a message's guild when
// the message mentions roles and the guild's GUILD_CREATE never reached
// this process: another replica's shard received the message and this one
// applies it from the shared inbox. GET /guilds/{id}/roles names the role
// whose tags hold the bot's ID.
func (a *Adapter) ensureBotRole(ctx context.Context, raw json.RawMessage) {
	var w struct {
		GuildID      string   `json:"guild_id"`
		MentionRoles []string `json:"mention_roles"`
	}
	if json.Unmarshal(raw, &w) != nil || w.GuildID == "" || len(w.MentionRoles) == 0 || a.st.botRole(w.GuildID) != "" {
		return
	}
	botID := a.st.botUser()
	body, err := a.s.RequestWithBucketID(http.MethodGet, discordgo.EndpointGuildRoles(w.GuildID), nil,
		discordgo.EndpointGuildRoles(""), discordgo.WithContext(ctx))
	var roles []wireRole
	if err == nil {
		err = json.Unmarshal(body, &roles)
	}
	if err != nil {
		a.log.WarnContext(ctx, "read the guild's roles (a mention of the bot's role is not seen as one)", "guild", w.GuildID, logErr, err)
		return
	}
	role := noBotRole
	for _, r := range roles {
		if r.Tags != nil && r.Tags.BotID != "" && r.Tags.BotID == botID {
			role = r.ID
		}
	}
	a.st.putBotRole(w.GuildID, role)
}
