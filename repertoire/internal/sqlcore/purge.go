package sqlcore

import (
	"context"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// PurgeSpace removes everything kept from one workspace or guild: its
// entries (savers, votes and full-text rows go with them), its open
// questions, the message log and every per-channel setting and record
// (detection, digests, recall answers and feedback, nudges, catch-up
// checkpoints). It runs when the bot is uninstalled from that space, so nothing
// outlives the community's decision to remove it. event, when not empty,
// makes a redelivered uninstall a no-op (ErrAlreadyApplied). As with
// ForgetUser the store then lets go of the text its files may still hold.
func (s *Core) PurgeSpace(ctx context.Context, event, platform, space string) (repertoire.Purged, error) {
	if platform == "" || space == "" {
		return repertoire.Purged{}, fmt.Errorf("purge space: %w: platform and space are required", repertoire.ErrInvalid)
	}
	var p repertoire.Purged
	err := s.tx(ctx, event, func(tx Querier) error {
		for _, st := range []struct {
			n *int
			q string
		}{
			{&p.Entries, `DELETE FROM entries WHERE platform = ? AND space = ?`},
			{&p.OpenQuestions, `DELETE FROM open_questions WHERE platform = ? AND space = ?`},
			{&p.Messages, `DELETE FROM messages WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM detections WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM detect_modes WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM digest_schedules WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM digests WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM recall_answers WHERE platform = ? AND space = ?`}, // feedback cascades
			{new(int), `DELETE FROM nudge_channels WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM nudged_threads WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM digest_archive WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM recall_uses WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM web_sessions WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM web_tokens WHERE platform = ? AND space = ?`},
			{new(int), `DELETE FROM catchup WHERE platform = ? AND space = ?`},
		} {
			res, err := tx.ExecContext(ctx, st.q, platform, space)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		return nil
	})
	if err != nil {
		return repertoire.Purged{}, fmt.Errorf("purge space: %w", err)
	}
	s.erased(ctx, "purge")
	return p, nil
}
