package sqlcore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// SetDigestSchedule stores a channel's digest setting, replacing any earlier one.
func (s *Core) SetDigestSchedule(ctx context.Context, d repertoire.DigestSchedule) error {
	if d.Channel.Platform == "" || d.Channel.ID == "" {
		return fmt.Errorf("set digest schedule: %w: needs platform and channel", repertoire.ErrInvalid)
	}
	if d.Spec == "" || d.Zone == "" {
		return fmt.Errorf("set digest schedule: %w: needs spec and zone", repertoire.ErrInvalid)
	}
	if !d.Quiet.Valid() {
		return fmt.Errorf("set digest schedule: %w: quiet %q", repertoire.ErrInvalid, d.Quiet)
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = s.now()
	}
	err := s.tx(ctx, "", func(tx Querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO digest_schedules (platform, space, channel_id, channel_name, private,
			spec, zone, enabled, quiet, updated_by, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (platform, space, channel_id) DO UPDATE SET
				channel_name = CASE WHEN excluded.channel_name <> '' THEN excluded.channel_name ELSE digest_schedules.channel_name END,
				private = excluded.private, spec = excluded.spec, zone = excluded.zone, enabled = excluded.enabled,
				quiet = excluded.quiet, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			d.Channel.Platform, d.Channel.Space, d.Channel.ID, repertoire.CleanText(d.Channel.Name), d.Channel.Private,
			d.Spec, d.Zone, d.Enabled, string(d.Quiet), d.UpdatedBy, d.UpdatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("set digest schedule: %w", err)
	}
	return nil
}

const scheduleColumns = `platform, space, channel_id, channel_name, private, spec, zone, enabled, quiet, updated_by, updated_at`

func scanSchedule(r Scanner) (repertoire.DigestSchedule, error) {
	var d repertoire.DigestSchedule
	var quiet string
	var at int64
	if err := r.Scan(&d.Channel.Platform, &d.Channel.Space, &d.Channel.ID, &d.Channel.Name, &d.Channel.Private,
		&d.Spec, &d.Zone, &d.Enabled, &quiet, &d.UpdatedBy, &at); err != nil {
		return repertoire.DigestSchedule{}, err
	}
	d.Quiet, d.UpdatedAt = repertoire.Quiet(quiet), time.UnixMilli(at).UTC()
	return d, nil
}

// GetDigestSchedule returns the channel's own setting, or ErrNotFound when it
// uses the default.
func (s *Core) GetDigestSchedule(ctx context.Context, ch repertoire.Channel) (repertoire.DigestSchedule, error) {
	d, err := scanSchedule(s.r.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM digest_schedules
		WHERE platform = ? AND space = ? AND channel_id = ?`, ch.Platform, ch.Space, ch.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return repertoire.DigestSchedule{}, repertoire.ErrNotFound
	}
	if err != nil {
		return repertoire.DigestSchedule{}, fmt.Errorf("digest schedule: %w", err)
	}
	return d, nil
}

// DigestSchedules lists every channel's own setting, "off" ones included.
func (s *Core) DigestSchedules(ctx context.Context) ([]repertoire.DigestSchedule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM digest_schedules ORDER BY platform, space, channel_id`)
	if err != nil {
		return nil, fmt.Errorf("digest schedules: %w", err)
	}
	defer rows.Close()
	var out []repertoire.DigestSchedule
	for rows.Next() {
		d, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("digest schedules: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("digest schedules: %w", err)
	}
	return out, nil
}

// ActiveChannels lists the channels that hold entries or open questions: the
// ones that get a digest on the default schedule. Only platform, space and ID
// are filled. The scheduler asks at every poll, so the channels are found by
// seeking from one to the next in the (platform, space, channel) indexes,
// one probe per channel, not by reading every entry.
func (s *Core) ActiveChannels(ctx context.Context) ([]repertoire.Channel, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("active channels: %w", err)
	}
	defer tx.Rollback()
	seen := map[repertoire.Channel]bool{}
	var out []repertoire.Channel
	for _, table := range []string{"entries", "open_questions"} {
		// The next channel in the same space, else the first of the next
		// space, else of the next platform. (A row-value comparison would
		// step through every entry of the current channel.)
		next := []string{
			`SELECT platform, space, channel_id FROM ` + table + ` WHERE platform = ?1 AND space = ?2 AND channel_id > ?3 ORDER BY channel_id LIMIT 1`,
			`SELECT platform, space, channel_id FROM ` + table + ` WHERE platform = ?1 AND space > ?2 ORDER BY space, channel_id LIMIT 1`,
			`SELECT platform, space, channel_id FROM ` + table + ` WHERE platform > ?1 ORDER BY platform, space, channel_id LIMIT 1`,
		}
		var c repertoire.Channel
		first := true
	channels:
		for {
			qs := next
			if first {
				qs, first = next[2:], false // from the very start: platform > ''
			}
			for _, q := range qs {
				var n repertoire.Channel
				// PostgreSQL wants exactly the parameters a statement uses.
				args := []any{c.Platform, c.Space, c.ID}[:strings.Count(q, "?")]
				err := tx.QueryRowContext(ctx, q, args...).Scan(&n.Platform, &n.Space, &n.ID)
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("active channels: %w", err)
				}
				c = n
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
				continue channels
			}
			break
		}
	}
	slices.SortFunc(out, func(a, b repertoire.Channel) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Space, b.Space), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ClaimDigest records that this process is about to post the channel's digest
// for the period ending at end. It reports false when the period is already
// claimed, posted or skipped (by this or another process), or has failed
// MaxDigestAttempts times. The UNIQUE (channel, period_end) constraint
// decides between concurrent claimers.
func (s *Core) ClaimDigest(ctx context.Context, ch repertoire.Channel, start, end time.Time, by string) (bool, error) {
	var claimed bool
	err := s.tx(ctx, "", func(tx Querier) error {
		now := s.now().UnixMilli()
		res, err := tx.ExecContext(ctx, `INSERT INTO digests (platform, space, channel_id, period_start, period_end,
			status, claimed_by, claimed_at) VALUES (?,?,?,?,?,'posting',?,?) ON CONFLICT DO NOTHING`,
			ch.Platform, ch.Space, ch.ID, start.UnixMilli(), end.UnixMilli(), by, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		res, err = tx.ExecContext(ctx, `UPDATE digests SET status = 'posting', attempts = attempts + 1, claimed_by = ?,
			claimed_at = ?, error = '' WHERE platform = ? AND space = ? AND channel_id = ? AND period_end = ?
			AND status = 'failed' AND attempts < ?`,
			by, now, ch.Platform, ch.Space, ch.ID, end.UnixMilli(), repertoire.MaxDigestAttempts)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	return claimed, nil
}

// ClaimDigestLease is ClaimDigest with a lease: a claim still 'posting'
// after lease belongs to a process that died (a live one finishes or fails
// within its post timeout, shorter than the lease), and is taken over.
// Taking over counts as an attempt, so a period whose poster dies every
// time stops after MaxDigestAttempts.
func (s *Core) ClaimDigestLease(ctx context.Context, ch repertoire.Channel, start, end time.Time, by string, lease time.Duration) (repertoire.DigestClaim, error) {
	var c repertoire.DigestClaim
	claimed, err := s.ClaimDigest(ctx, ch, start, end, by)
	if err != nil || claimed || lease <= 0 {
		return repertoire.DigestClaim{Claimed: claimed}, err
	}
	err = s.tx(ctx, "", func(tx Querier) error {
		now := s.now()
		var prev int64
		err := tx.QueryRowContext(ctx, `SELECT claimed_at FROM digests WHERE platform = ? AND space = ? AND channel_id = ?
			AND period_end = ? AND status = 'posting' AND claimed_at < ? AND attempts < ?`,
			ch.Platform, ch.Space, ch.ID, end.UnixMilli(), now.Add(-lease).UnixMilli(), repertoire.MaxDigestAttempts).Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE digests SET attempts = attempts + 1, claimed_by = ?, claimed_at = ?
			WHERE platform = ? AND space = ? AND channel_id = ? AND period_end = ?`,
			by, now.UnixMilli(), ch.Platform, ch.Space, ch.ID, end.UnixMilli()); err != nil {
			return err
		}
		c = repertoire.DigestClaim{Claimed: true, TakenOver: true, PrevClaimedAt: time.UnixMilli(prev)}
		return nil
	})
	if err != nil {
		return repertoire.DigestClaim{}, fmt.Errorf("claim digest: take over: %w", err)
	}
	return c, nil
}

// FinishDigest records how a claimed period ended.
func (s *Core) FinishDigest(ctx context.Context, ch repertoire.Channel, end time.Time, o repertoire.DigestOutcome) error {
	switch o.Status {
	case repertoire.DigestSent, repertoire.DigestSkipped, repertoire.DigestFailed:
	default:
		return fmt.Errorf("finish digest: %w: status %q", repertoire.ErrInvalid, o.Status)
	}
	var rediscover any
	if o.RediscoverID != 0 {
		rediscover = o.RediscoverID
	}
	err := s.tx(ctx, "", func(tx Querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE digests SET status = ?, finished_at = ?, message_id = ?, entries = ?,
			rediscover_id = ?, error = ? WHERE platform = ? AND space = ? AND channel_id = ? AND period_end = ?`,
			o.Status, s.now().UnixMilli(), o.MessageID, o.Entries, rediscover, o.Error,
			ch.Platform, ch.Space, ch.ID, end.UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return repertoire.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish digest: %w", err)
	}
	return nil
}

// Digests lists a channel's digest records, newest period first.
func (s *Core) Digests(ctx context.Context, ch repertoire.Channel, limit int) ([]repertoire.DigestRecord, error) {
	if limit <= 0 {
		limit = 10
	}
	rows, err := s.r.QueryContext(ctx, `SELECT period_start, period_end, status, attempts, claimed_by, claimed_at,
		coalesce(finished_at, 0), message_id, entries, coalesce(rediscover_id, 0), error FROM digests
		WHERE platform = ? AND space = ? AND channel_id = ? ORDER BY period_end DESC LIMIT ?`,
		ch.Platform, ch.Space, ch.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("digests: %w", err)
	}
	defer rows.Close()
	var out []repertoire.DigestRecord
	for rows.Next() {
		r := repertoire.DigestRecord{Channel: ch}
		var start, end, claimed, finished int64
		var status string
		if err := rows.Scan(&start, &end, &status, &r.Attempts, &r.ClaimedBy, &claimed, &finished, &r.MessageID,
			&r.Entries, &r.RediscoverID, &r.Error); err != nil {
			return nil, fmt.Errorf("digests: %w", err)
		}
		r.Status = repertoire.DigestStatus(status)
		r.Start, r.End, r.ClaimedAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC(), time.UnixMilli(claimed).UTC()
		if finished != 0 {
			r.FinishedAt = time.UnixMilli(finished).UTC()
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("digests: %w", err)
	}
	return out, nil
}

// DigestData reads the period [start, end) of one channel. Visibility: every
// query names the channel, so a channel's digest holds only its own entries
// and questions, private or not.
func (s *Core) DigestData(ctx context.Context, ch repertoire.Channel, start, end time.Time, lim repertoire.DigestLimits) (repertoire.DigestData, error) {
	if lim.Entries <= 0 {
		lim.Entries = 30
	}
	if lim.OpenQuestions <= 0 {
		lim.OpenQuestions = 10
	}
	if lim.Detected <= 0 {
		lim.Detected = 5
	}
	if lim.OpenFor <= 0 {
		lim.OpenFor = repertoire.DefaultOpenFor
	}
	d := repertoire.DigestData{Channel: ch, Start: start, End: end, OpenSince: start}
	if since := end.Add(-lim.OpenFor); since.Before(start) {
		d.OpenSince = since
	}
	tx, err := s.read(ctx)
	if err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: %w", err)
	}
	defer tx.Rollback()
	args := []any{ch.Platform, ch.Space, ch.ID, start.UnixMilli(), end.UnixMilli()}
	const inPeriodAny = `platform = ?1 AND space = ?2 AND channel_id = ?3 AND created_at >= ?4 AND created_at < ?5`
	const inPeriod = inPeriodAny + ` AND status = 'saved'`
	const detected = inPeriodAny + ` AND status = 'detected'`

	var name sql.NullString
	var private sql.NullBool
	if err := tx.QueryRowContext(ctx, `SELECT channel_name, private FROM entries WHERE platform = ?1 AND space = ?2
		AND channel_id = ?3 ORDER BY created_at DESC LIMIT 1`, args[:3]...).Scan(&name, &private); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return repertoire.DigestData{}, fmt.Errorf("digest data: channel: %w", err)
	}
	if d.Channel.Name == "" {
		d.Channel.Name = name.String
	}
	d.Channel.Private = d.Channel.Private || private.Bool

	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE `+inPeriod, args...).Scan(&d.TotalEntries); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: count: %w", err)
	}
	// The period's rows by date, then sorted: walking the channel's votes
	// index instead would read every entry it ever had.
	if d.Entries, err = QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM entries e`+s.d.Indexed("entries_channel_created")+` WHERE `+inPeriod+`
		ORDER BY votes + helpful - unhelpful DESC, created_at, id LIMIT ?6`, append(args, lim.Entries)...); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: entries: %w", err)
	}
	if d.Hits, err = s.recallHits(ctx, tx, d.Entries); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: recall hits: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entries WHERE `+detected, args...).Scan(&d.TotalDetected); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: count detected: %w", err)
	}
	if d.TotalDetected > 0 {
		if d.Detected, err = QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM entries e`+s.d.Indexed("entries_channel_created")+` WHERE `+detected+`
			ORDER BY votes + helpful - unhelpful DESC, created_at, id LIMIT ?6`, append(args, lim.Detected)...); err != nil {
			return repertoire.DigestData{}, fmt.Errorf("digest data: detected entries: %w", err)
		}
	}

	rows, err := tx.QueryContext(ctx, `SELECT id, max(name), sum(authored), sum(saved) FROM (
			SELECT author_id AS id, author_name AS name, 1 AS authored, 0 AS saved FROM entries WHERE `+inPeriod+`
			UNION ALL
			SELECT s.user_id, s.user_name, 0, 1 FROM savers s JOIN entries e ON e.id = s.entry_id
			WHERE e.platform = ?1 AND e.space = ?2 AND e.channel_id = ?3 AND e.created_at >= ?4 AND e.created_at < ?5
			  AND e.status = 'saved') AS c
		GROUP BY id ORDER BY sum(authored) + sum(saved) DESC, max(name), id`, args...)
	if err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: contributors: %w", err)
	}
	for rows.Next() {
		var c repertoire.Contributor
		if err := rows.Scan(&c.ID, &c.Name, &c.Authored, &c.Saved); err != nil {
			rows.Close()
			return repertoire.DigestData{}, fmt.Errorf("digest data: contributors: %w", err)
		}
		d.Contributors = append(d.Contributors, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: contributors: %w", err)
	}

	const openInPeriod = `platform = ?1 AND space = ?2 AND channel_id = ?3 AND asked_at >= ?4 AND asked_at < ?5`
	openArgs := []any{ch.Platform, ch.Space, ch.ID, d.OpenSince.UnixMilli(), end.UnixMilli()}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM open_questions WHERE `+openInPeriod, openArgs...).Scan(&d.TotalOpen); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: open questions: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, platform, space, channel_id, private, message_id, asker_id, asker_name,
		text, asked_at FROM open_questions WHERE `+openInPeriod+` ORDER BY asked_at, id LIMIT ?6`, append(openArgs, lim.OpenQuestions)...)
	if err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: open questions: %w", err)
	}
	for rows.Next() {
		var q repertoire.OpenQuestion
		var at int64
		if err := rows.Scan(&q.ID, &q.Channel.Platform, &q.Channel.Space, &q.Channel.ID, &q.Channel.Private,
			&q.MessageID, &q.Asker.ID, &q.Asker.Name, &q.Text, &at); err != nil {
			rows.Close()
			return repertoire.DigestData{}, fmt.Errorf("digest data: open questions: %w", err)
		}
		q.AskedAt = time.UnixMilli(at).UTC()
		d.OpenQuestions = append(d.OpenQuestions, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: open questions: %w", err)
	}

	// The older entry: the channel's best one from before the period that no
	// digest of this channel featured yet; when all were, the one featured
	// longest ago.
	// Walk the votes index (stopping at the first match) rather than sort
	// every older entry by votes.
	old, err := QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM entries e`+s.d.Indexed("entries_channel_votes")+`
		WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND created_at < ?4 AND status = 'saved'
		  AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.platform = ?1 AND d.space = ?2 AND d.channel_id = ?3 AND d.rediscover_id = e.id)
		ORDER BY votes DESC, created_at LIMIT 1`, args[:4]...)
	if err != nil {
		return repertoire.DigestData{}, fmt.Errorf("digest data: rediscover: %w", err)
	}
	if len(old) == 0 {
		old, err = QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM digests d JOIN entries e ON e.id = d.rediscover_id
			WHERE d.platform = ?1 AND d.space = ?2 AND d.channel_id = ?3 AND e.platform = ?1 AND e.space = ?2
			  AND e.channel_id = ?3 AND e.created_at < ?4 AND e.status = 'saved'
			GROUP BY e.id ORDER BY max(d.period_end), e.votes DESC LIMIT 1`, args[:4]...)
		if err != nil {
			return repertoire.DigestData{}, fmt.Errorf("digest data: rediscover: %w", err)
		}
	}
	if len(old) == 1 {
		d.Rediscover = &old[0]
	}
	return d, nil
}

// recallHits counts how many recall answers showed each of entries.
func (s *Core) recallHits(ctx context.Context, tx Querier, entries []repertoire.Entry) (map[int64]int, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT entry_id, count(*) FROM recall_answer_entries
		WHERE entry_id IN (`+s.d.IntList+`) GROUP BY entry_id`, JSONList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		hits[id] = n
	}
	return hits, rows.Err()
}
