package main

import (
	"context"
	"log/slog"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// sessionNotifier is an adapter whose new sessions lose what happened
// before them (Discord): catch-up runs after each one, over the channels
// that session receives (a gateway shard's guilds).
type sessionNotifier interface {
	OnSession(func(bot.CatchUpScope))
}

// startCatchUp reconciles recent history in the background: for a platform
// that announces new sessions, after each (the first included); for the
// others, now. With REPERTOIRE_CATCHUP=0 it does nothing.
func startCatchUp(ctx context.Context, cfg Config, store repertoire.Store, core *bot.Bot, in *bot.Inbox, platforms []bot.Platform, log *slog.Logger) *bot.CatchUp {
	c := bot.NewCatchUp(store, core, in, log.With("component", "catchup"), bot.CatchUpOptions{Window: cfg.CatchUp})
	if cfg.CatchUp <= 0 {
		return c
	}
	for _, p := range platforms {
		if _, ok := p.(bot.Historian); !ok {
			continue
		}
		if n, ok := p.(sessionNotifier); ok {
			n.OnSession(func(s bot.CatchUpScope) { c.TriggerScope(ctx, p, s) })
			continue
		}
		c.Trigger(ctx, p)
	}
	return c
}
