package discord

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/repertoire/repertoire/bot"
)

// maxShardCount bounds REPERTOIRE_DISCORD_SHARDS' count: far past what a
// bot needs (Discord asks for a shard per 1,000 to 2,500 guilds), and small
// enough that a range such as 0-65535 stays cheap.
const maxShardCount = 1 << 16

// Shards are the gateway shards one process runs: the shards numbered
// IDs, of Count in all. Discord sends a guild's events only to shard
// (guild_id >> 22) % Count, and direct messages only to shard 0, so
// replicas that together run every shard once see every event once.
type Shards struct {
	IDs   []int // ascending, each below Count
	Count int
}

// AllShards is a process that runs the only shard: 0 of 1.
func AllShards() Shards { return Shards{IDs: []int{0}, Count: 1} }

// ParseShards reads a shard set as REPERTOIRE_DISCORD_SHARDS writes it:
// the shard IDs this process runs, separated by commas (a-b for a range),
// a slash, and the count of shards across all processes: "0,1/4" runs
// shards 0 and 1 of 4, "2-3/4" the other two. Empty means AllShards.
func ParseShards(spec string) (Shards, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return AllShards(), nil
	}
	ids, count, ok := strings.Cut(spec, "/")
	if !ok {
		return Shards{}, fmt.Errorf("%q has no shard count: write the shards this process runs, a slash and the count of all shards, such as 0,1/4", spec)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 1 || n > maxShardCount {
		return Shards{}, fmt.Errorf("%q: the shard count %q is not a whole number from 1 to %d", spec, strings.TrimSpace(count), maxShardCount)
	}
	out := Shards{Count: n}
	seen := map[int]bool{}
	add := func(id int) error {
		if id >= n {
			return fmt.Errorf("%q: shard %d is not below the count %d (shards are numbered 0 to %d)", spec, id, n, n-1)
		}
		if seen[id] {
			return fmt.Errorf("%q: shard %d is listed twice", spec, id)
		}
		seen[id] = true
		out.IDs = append(out.IDs, id)
		return nil
	}
	for _, part := range strings.Split(ids, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, errA := shardID(lo)
		b, errB := a, error(nil)
		if isRange {
			b, errB = shardID(hi)
		}
		if err := errors.Join(errA, errB); err != nil {
			return Shards{}, fmt.Errorf("%q: %q is not a shard number or a range such as 0-3", spec, part)
		}
		if b < a {
			return Shards{}, fmt.Errorf("%q: the range %q runs backwards", spec, part)
		}
		for id := a; id <= b; id++ {
			if err := add(id); err != nil {
				return Shards{}, err
			}
		}
	}
	slices.Sort(out.IDs)
	return out, nil
}

func shardID(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a number")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n >= maxShardCount {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// String writes the set as ParseShards reads it ("0,1/4").
func (s Shards) String() string {
	ids := make([]string, len(s.IDs))
	for i, id := range s.IDs {
		ids[i] = strconv.Itoa(id)
	}
	return strings.Join(ids, ",") + "/" + strconv.Itoa(s.Count)
}

// All reports whether the set is every shard there is.
func (s Shards) All() bool { return len(s.IDs) == s.Count }

// ShardOf is the shard Discord sends a guild's events to among count:
// (guild_id >> 22) % count. A direct message (no guild) goes to shard 0.
func ShardOf(guild string, count int) int {
	if count <= 1 || guild == "" {
		return 0
	}
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// shardScope is the catch-up scope of one shard's session: the channels
// of the guilds Discord sends it, and DMs for shard 0. With one shard it is
// the whole platform, so locks keep their unsharded names.
func shardScope(id, count int) bot.CatchUpScope {
	if count <= 1 {
		return bot.CatchUpScope{}
	}
	return bot.CatchUpScope{Name: fmt.Sprintf("shard %d/%d", id, count),
		Owns: func(ch bot.ChannelRef) bool { return ShardOf(ch.Space, count) == id }}
}
