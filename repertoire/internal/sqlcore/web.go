package sqlcore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// BrowseEntries lists the entries the audience may see that the filters
// select, savers included, and reports whether more follow.
func (s *Core) BrowseEntries(ctx context.Context, a repertoire.Audience, b repertoire.Browse) ([]repertoire.Entry, bool, error) {
	if b.Limit <= 0 {
		b.Limit = 20
	}
	b.Limit = min(b.Limit, 100)
	b.Offset = max(b.Offset, 0)
	vis, args := s.d.AudienceWhere(a, "e")
	conds := []string{vis}
	// Each list walks an index in its order, so a page costs its rows,
	// not the repertoire's: the newest (created_at), the most useful (the
	// worth expression), a tag's (its entry IDs, newest first), a channel's.
	from := "entries e" + s.d.Indexed("entries_created")
	order := "e.created_at DESC, e.id DESC"
	switch {
	case b.Tag != "":
		from = "entry_tags t " + s.d.OrderedJoin + " entries e ON e.id = t.entry_id"
		conds = append(conds, "t.tag = ?")
		args = append(args, repertoire.NormTag(b.Tag))
		order = "t.entry_id DESC"
	case b.Channel != "":
		from = "entries e" + s.d.Indexed("entries_channel_only")
		conds = append(conds, "e.channel_id = ?")
		args = append(args, b.Channel)
	case b.Member != "":
		// The member's entries first (a few hundred at most), then sorted.
		from = "(SELECT id FROM entries WHERE author_id = ? UNION SELECT entry_id FROM savers WHERE user_id = ?) m " + s.d.OrderedJoin + " entries e ON e.id = m.id"
		args = append([]any{b.Member, b.Member}, args...)
	case b.Useful:
		from = "entries e" + s.d.Indexed("entries_worth")
		order = "e.votes + e.helpful - e.unhelpful DESC, e.created_at DESC, e.id DESC"
	}
	if b.Tag != "" && b.Channel != "" {
		conds = append(conds, "e.channel_id = ?")
		args = append(args, b.Channel)
	}
	if b.Kind != "" {
		conds = append(conds, "e.kind = ?")
		args = append(args, string(b.Kind))
	}
	if !b.Since.IsZero() {
		conds = append(conds, "e.created_at >= ?")
		args = append(args, b.Since.UnixMilli())
	}
	tx, err := s.read(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("browse entries: %w", err)
	}
	defer tx.Rollback()
	out, err := QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM `+from+` WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, b.Limit+1, b.Offset)...)
	if err != nil {
		return nil, false, fmt.Errorf("browse entries: %w", err)
	}
	more := len(out) > b.Limit
	if more {
		out = out[:b.Limit]
	}
	return out, more, nil
}

// VisibleEntry returns one entry if the audience may see it; ErrNotFound
// otherwise, the same answer as for an entry that does not exist.
func (s *Core) VisibleEntry(ctx context.Context, a repertoire.Audience, id int64) (repertoire.Entry, error) {
	tx, err := s.read(ctx)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	defer tx.Rollback()
	vis, args := s.d.AudienceWhere(a, "e")
	out, err := QueryEntries(ctx, tx, `SELECT `+EntryColumns+` FROM entries e WHERE e.id = ? AND `+vis, append([]any{id}, args...)...)
	if err != nil {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	if len(out) == 0 {
		return repertoire.Entry{}, fmt.Errorf("entry %d: %w", id, repertoire.ErrNotFound)
	}
	return out[0], nil
}

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// WebOverview reads the home page's figures as of now: totals, top tags and
// kinds, contributors since monthStart, and weeks of growth and recall use.
func (s *Core) WebOverview(ctx context.Context, a repertoire.Audience, now, monthStart time.Time, weeks int) (repertoire.Overview, error) {
	var o repertoire.Overview
	tx, err := s.read(ctx)
	if err != nil {
		return o, fmt.Errorf("overview: %w", err)
	}
	defer tx.Rollback()
	vis, args := s.d.AudienceWhere(a, "e")
	cvis, cargs := s.d.AudienceWhere(a, "c") // over the count tables
	counts := func(query string, args ...any) ([]repertoire.Count, error) {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []repertoire.Count
		for rows.Next() {
			var c repertoire.Count
			if err := rows.Scan(&c.Name, &c.N); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	if o.TopTags, err = counts(`SELECT c.tag, CAST(sum(c.n) AS BIGINT) AS n FROM tag_counts c WHERE `+cvis+`
		GROUP BY c.tag HAVING sum(c.n) > 0 ORDER BY n DESC, c.tag LIMIT 15`, cargs...); err != nil {
		return o, fmt.Errorf("overview: tags: %w", err)
	}
	if o.Kinds, err = counts(`SELECT c.kind, CAST(sum(c.n) AS BIGINT) AS n FROM entry_counts c WHERE `+cvis+`
		GROUP BY c.kind HAVING sum(c.n) > 0 ORDER BY n DESC, c.kind`, cargs...); err != nil {
		return o, fmt.Errorf("overview: kinds: %w", err)
	}
	for _, k := range o.Kinds {
		o.Entries += k.N
	}
	// Contributors: who wrote entries and who saved them this month.
	rows, err := tx.QueryContext(ctx, `SELECT id, max(name), sum(authored), sum(saved) FROM (
			SELECT e.author_id AS id, e.author_name AS name, 1 AS authored, 0 AS saved FROM entries e`+s.d.Indexed("entries_created")+`
			WHERE e.created_at >= ? AND `+vis+`
			UNION ALL
			SELECT s.user_id, s.user_name, 0, 1 FROM savers s`+s.d.Indexed("savers_saved")+` `+s.d.OrderedJoin+` entries e ON e.id = s.entry_id
			WHERE s.saved_at >= ? AND `+vis+`) AS c
		GROUP BY id ORDER BY sum(authored) + sum(saved) DESC, id LIMIT 10`,
		append(append(append([]any{monthStart.UnixMilli()}, args...), monthStart.UnixMilli()), args...)...)
	if err != nil {
		return o, fmt.Errorf("overview: contributors: %w", err)
	}
	for rows.Next() {
		var c repertoire.Contributor
		if err := rows.Scan(&c.ID, &c.Name, &c.Authored, &c.Saved); err != nil {
			rows.Close()
			return o, fmt.Errorf("overview: contributors: %w", err)
		}
		o.Contributors = append(o.Contributors, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, fmt.Errorf("overview: contributors: %w", err)
	}
	first := weekStart(now).AddDate(0, 0, -7*(weeks-1))
	o.Growth = emptyWeeks(first, weeks)
	o.Recall = emptyWeeks(first, weeks)
	const week = int64(7 * 24 * time.Hour / time.Millisecond)
	// entry_counts numbers weeks from the Monday before the epoch.
	firstWeek := (first.UnixMilli()/86_400_000 + 3) / 7
	rows, err = tx.QueryContext(ctx, `SELECT c.week, c.kind, CAST(sum(c.n) AS BIGINT) FROM entry_counts c WHERE c.week >= ? AND `+cvis+`
		GROUP BY c.week, c.kind`, append([]any{firstWeek}, cargs...)...)
	if err != nil {
		return o, fmt.Errorf("overview: growth: %w", err)
	}
	for rows.Next() {
		var week int64
		var kind string
		var n int
		if err := rows.Scan(&week, &kind, &n); err != nil {
			rows.Close()
			return o, fmt.Errorf("overview: growth: %w", err)
		}
		if i := int(week - firstWeek); i >= 0 && i < weeks {
			o.Growth[i].Counts[kind] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, fmt.Errorf("overview: growth: %w", err)
	}
	rvis, rargs := s.d.AudienceWhere(a, "r")
	rows, err = tx.QueryContext(ctx, `SELECT (r.asked_at - ?) / ?, count(*), sum(r.answered) FROM recall_uses r
		WHERE r.asked_at >= ? AND `+rvis+` GROUP BY 1`, append([]any{first.UnixMilli(), week, first.UnixMilli()}, rargs...)...)
	if err != nil {
		return o, fmt.Errorf("overview: recall use: %w", err)
	}
	for rows.Next() {
		var i, asked, answered int
		if err := rows.Scan(&i, &asked, &answered); err != nil {
			rows.Close()
			return o, fmt.Errorf("overview: recall use: %w", err)
		}
		if i >= 0 && i < weeks {
			o.Recall[i].Counts["asked"] = asked
			o.Recall[i].Counts["answered"] = answered
			o.Recall[i].Counts["unanswered"] = asked - answered
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, fmt.Errorf("overview: recall use: %w", err)
	}
	return o, nil
}

func emptyWeeks(first time.Time, n int) []repertoire.WeekCount {
	out := make([]repertoire.WeekCount, n)
	for i := range out {
		out[i] = repertoire.WeekCount{Week: first.AddDate(0, 0, 7*i), Counts: map[string]int{}}
	}
	return out
}

// VisibleOpenQuestions lists the open questions the audience may see,
// newest first, and reports whether more follow.
func (s *Core) VisibleOpenQuestions(ctx context.Context, a repertoire.Audience, limit, offset int) ([]repertoire.OpenQuestion, bool, error) {
	if limit <= 0 {
		limit = 20
	}
	vis, args := s.d.AudienceWhere(a, "q")
	rows, err := s.r.QueryContext(ctx, `SELECT q.id, q.platform, q.space, q.channel_id, q.private, q.message_id, q.asker_id,
		q.asker_name, q.text, q.asked_at FROM open_questions q`+s.d.Indexed("open_questions_asked")+` WHERE `+vis+` ORDER BY q.asked_at DESC, q.id DESC LIMIT ? OFFSET ?`,
		append(args, limit+1, max(offset, 0))...)
	if err != nil {
		return nil, false, fmt.Errorf("open questions: %w", err)
	}
	out, err := scanOpenQuestions(rows)
	if err != nil {
		return nil, false, fmt.Errorf("open questions: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// PrivateChannels lists the private channels and DMs of a platform that hold
// anything the web page shows (entries, open questions, digests), so the
// core can ask the platform which of them a member belongs to.
func (s *Core) PrivateChannels(ctx context.Context, platform string) ([]repertoire.Channel, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT space, channel_id, max(channel_name) FROM (
			SELECT space, channel_id, '' AS channel_name FROM entry_counts WHERE platform = ?1 AND private = 1 AND n > 0
			UNION ALL SELECT space, channel_id, '' FROM open_questions WHERE platform = ?1 AND private = 1
			UNION ALL SELECT space, channel_id, channel_name FROM digest_archive WHERE platform = ?1 AND private = 1) AS c
		GROUP BY space, channel_id ORDER BY space, channel_id`, platform)
	if err != nil {
		return nil, fmt.Errorf("private channels: %w", err)
	}
	defer rows.Close()
	var out []repertoire.Channel
	for rows.Next() {
		c := repertoire.Channel{Platform: platform, Private: true}
		if err := rows.Scan(&c.Space, &c.ID, &c.Name); err != nil {
			return nil, fmt.Errorf("private channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordRecallUse counts one recall question asked in a channel and whether
// anything answered it. No text, no asker.
func (s *Core) RecordRecallUse(ctx context.Context, ch repertoire.Channel, answered bool, at time.Time) error {
	if at.IsZero() {
		at = s.now()
	}
	_, err := s.exec(ctx, "", `INSERT INTO recall_uses (platform, space, channel_id, private, answered, asked_at) VALUES (?,?,?,?,?,?)`,
		ch.Platform, ch.Space, ch.ID, ch.Private, answered, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record recall use: %w", err)
	}
	return nil
}

// ArchiveDigest keeps a posted digest's text for the web page's archive.
func (s *Core) ArchiveDigest(ctx context.Context, d repertoire.ArchivedDigest) (int64, error) {
	d.Text = repertoire.CleanText(d.Text)
	if d.PostedAt.IsZero() {
		d.PostedAt = s.now()
	}
	var id int64
	err := s.tx(ctx, "", func(tx Querier) error {
		// A channel is private if anything of it was recorded as private
		// (a scheduled digest's channel may come without the flag).
		if !d.Channel.Private {
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entries WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND private = 1)
				OR EXISTS (SELECT 1 FROM open_questions WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND private = 1)
				OR EXISTS (SELECT 1 FROM digest_schedules WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND private = 1)
				OR EXISTS (SELECT 1 FROM messages WHERE platform = ?1 AND space = ?2 AND channel_id = ?3 AND private = 1)`,
				d.Channel.Platform, d.Channel.Space, d.Channel.ID).Scan(&d.Channel.Private)
			if err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO digest_archive (platform, space, channel_id, channel_name, private,
			period_start, period_end, message_id, text, posted_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id`,
			d.Channel.Platform, d.Channel.Space, d.Channel.ID, d.Channel.Name, d.Channel.Private,
			d.Start.UnixMilli(), d.End.UnixMilli(), d.MessageID, d.Text, d.PostedAt.UnixMilli()).Scan(&id)
		if err != nil {
			return err
		}
		for _, p := range d.People {
			if p == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO digest_archive_people (digest_id, platform, user_id) VALUES (?,?,?) ON CONFLICT DO NOTHING`,
				id, d.Channel.Platform, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("archive digest: %w", err)
	}
	return id, nil
}

// ArchivedDigests lists the digests the audience may see, newest first, and
// reports whether more follow.
func (s *Core) ArchivedDigests(ctx context.Context, a repertoire.Audience, limit, offset int) ([]repertoire.ArchivedDigest, bool, error) {
	if limit <= 0 {
		limit = 10
	}
	vis, args := s.d.AudienceWhere(a, "d")
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.platform, d.space, d.channel_id, d.channel_name, d.private,
		d.period_start, d.period_end, d.message_id, d.text, d.posted_at FROM digest_archive d WHERE `+vis+`
		ORDER BY d.posted_at DESC, d.id DESC LIMIT ? OFFSET ?`, append(args, limit+1, max(offset, 0))...)
	if err != nil {
		return nil, false, fmt.Errorf("archived digests: %w", err)
	}
	defer rows.Close()
	var out []repertoire.ArchivedDigest
	for rows.Next() {
		var d repertoire.ArchivedDigest
		var start, end, posted int64
		if err := rows.Scan(&d.ID, &d.Channel.Platform, &d.Channel.Space, &d.Channel.ID, &d.Channel.Name, &d.Channel.Private,
			&start, &end, &d.MessageID, &d.Text, &posted); err != nil {
			return nil, false, fmt.Errorf("archived digests: %w", err)
		}
		d.Start, d.End, d.PostedAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC(), time.UnixMilli(posted).UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("archived digests: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// AddSignInToken records a one-time sign-in link for a member (by its token,
// which is stored hashed) until expires.
func (s *Core) AddSignInToken(ctx context.Context, token string, m repertoire.WebMember, expires time.Time) error {
	err := s.tx(ctx, "", func(tx Querier) error {
		if gone, err := s.forgottenWhen(ctx, tx, m.Platform, m.ID, m.Asked); err != nil {
			return err
		} else if gone {
			return repertoire.ErrForgotten // asked before the forget, applied after it
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_tokens (hash, platform, space, user_id, user_name, spaces, expires_at)
			VALUES (?,?,?,?,?,?,?)`, tokenHash(token), m.Platform, m.Space, m.ID, m.Name, JSONList(m.Spaces), expires.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("add sign-in token: %w", err)
	}
	// Expired links are of no use to anyone.
	if _, err := s.exec(ctx, "", `DELETE FROM web_tokens WHERE expires_at < ?`, s.now().UnixMilli()); err != nil {
		return fmt.Errorf("add sign-in token: %w", err)
	}
	return nil
}

// RedeemSignInToken spends a sign-in link: in one transaction the token is
// deleted (it works once) and a session for its member is created, under
// the session token given, until sessionExpires. ErrExpired when the link
// is unknown, used or past its time.
func (s *Core) RedeemSignInToken(ctx context.Context, token, session string, sessionExpires time.Time) (repertoire.WebMember, error) {
	var m repertoire.WebMember
	err := s.tx(ctx, "", func(tx Querier) error {
		var spaces string
		var expires int64
		err := tx.QueryRowContext(ctx, `DELETE FROM web_tokens WHERE hash = ? RETURNING platform, space, user_id, user_name, spaces, expires_at`,
			tokenHash(token)).Scan(&m.Platform, &m.Space, &m.ID, &m.Name, &spaces, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return repertoire.ErrExpired
		}
		if err != nil {
			return err
		}
		if expires < s.now().UnixMilli() {
			return repertoire.ErrExpired
		}
		_ = json.Unmarshal([]byte(spaces), &m.Spaces)
		_, err = tx.ExecContext(ctx, `INSERT INTO web_sessions (hash, platform, space, user_id, user_name, spaces, created_at, expires_at)
			VALUES (?,?,?,?,?,?,?,?)`, tokenHash(session), m.Platform, m.Space, m.ID, m.Name, spaces, s.now().UnixMilli(), sessionExpires.UnixMilli())
		return err
	})
	if errors.Is(err, repertoire.ErrExpired) {
		// The spent or stale link is deleted all the same.
		return repertoire.WebMember{}, fmt.Errorf("sign in: %w", repertoire.ErrExpired)
	}
	if err != nil {
		return repertoire.WebMember{}, fmt.Errorf("sign in: %w", err)
	}
	return m, nil
}

// Session returns the member a session cookie signs in; ErrExpired when it
// is unknown, ended or past its time.
func (s *Core) Session(ctx context.Context, session string) (repertoire.WebMember, error) {
	var m repertoire.WebMember
	var spaces string
	var expires int64
	err := s.r.QueryRowContext(ctx, `SELECT platform, space, user_id, user_name, spaces, expires_at FROM web_sessions WHERE hash = ?`,
		tokenHash(session)).Scan(&m.Platform, &m.Space, &m.ID, &m.Name, &spaces, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires < s.now().UnixMilli()) {
		return repertoire.WebMember{}, fmt.Errorf("session: %w", repertoire.ErrExpired)
	}
	if err != nil {
		return repertoire.WebMember{}, fmt.Errorf("session: %w", err)
	}
	_ = json.Unmarshal([]byte(spaces), &m.Spaces)
	return m, nil
}

// EndSession signs a browser out.
func (s *Core) EndSession(ctx context.Context, session string) error {
	if _, err := s.exec(ctx, "", `DELETE FROM web_sessions WHERE hash = ? OR expires_at < ?`, tokenHash(session), s.now().UnixMilli()); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
