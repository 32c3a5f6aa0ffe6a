package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// ClaimLease is how long a replica holds the channels whose deliveries it
// applies without taking again; the bot takes at least every second, so
// only a dead (or wedged) replica lets its channels lapse to another.
const ClaimLease = 15 * time.Second

// newOwner names this store handle (one replica) in inbox_claims.
func newOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// releaseClaims gives up this handle's inbox claims as it closes, so that
// a replica restarting (a new handle, a new owner) or another one takes its
// channels at once instead of after ClaimLease. What it had taken and not
// applied passes with them, as when a claim lapses. A replica that dies
// without closing still holds its claims until they lapse.
func (s *Store) releaseClaims() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := s.w.ExecContext(ctx, `UPDATE inbox_claims SET expires_at = 0 WHERE owner = ?`, s.owner); err != nil {
		s.log.Warn("releasing inbox claims", "err", err)
	}
}

// TakeInbox hands this replica up to limit pending deliveries to apply,
// none of which another live replica holds: the deliveries of the channels
// this replica claims, in Seq order, that it has not taken yet. Each call
// renews the replica's claims, claims the channels nobody holds (or whose
// holder's claim lapsed: it died), and takes their pending deliveries with
// FOR UPDATE SKIP LOCKED, so replicas taking at once never wait on each
// other. A channel's deliveries go to one replica at a time, in order; what
// a dead replica had taken and not applied passes with its channels. The
// bot uses it instead of PendingInbox when the store offers it.
func (s *Store) TakeInbox(ctx context.Context, limit int) ([]repertoire.InboxItem, error) {
	var out []repertoire.InboxItem
	now := s.now()
	err := s.txNow(ctx, "", false, func(tx *dbTx) error {
		until := now.Add(ClaimLease).UnixMilli()
		if _, err := tx.ExecContext(ctx, `UPDATE inbox_claims SET expires_at = ? WHERE owner = ?`, until, s.owner); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_claims (platform, channel, owner, expires_at)
			SELECT DISTINCT platform, channel, ?::text, ?::bigint FROM inbox WHERE applied_at IS NULL
			ON CONFLICT (platform, channel) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE inbox_claims.expires_at < ?`, s.owner, until, now.UnixMilli()); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE inbox SET taken_by = ?1 WHERE seq IN (
				SELECT i.seq FROM inbox i JOIN inbox_claims c ON c.platform = i.platform AND c.channel = i.channel
				WHERE c.owner = ?1 AND i.applied_at IS NULL AND i.taken_by <> ?1
				ORDER BY i.seq LIMIT ?2 FOR UPDATE OF i SKIP LOCKED)
			RETURNING seq, platform, kind, delivery, channel, payload, received_at`, s.owner, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it repertoire.InboxItem
			var at int64
			if err := rows.Scan(&it.Seq, &it.Platform, &it.Kind, &it.Delivery, &it.Channel, &it.Payload, &at); err != nil {
				return err
			}
			it.Received = time.UnixMilli(at)
			out = append(out, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("take inbox: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
