-- The web page (issue 18): sign-in links, sessions, recall use, the digests
-- as posted, and what the pages list by (tag, date).

-- One-time sign-in links handed out in chat. Only the SHA-256 of the token is
-- kept, so a copy of the database does not sign anyone in.
CREATE TABLE web_tokens (
    hash       TEXT    PRIMARY KEY,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL,
    user_name  TEXT    NOT NULL DEFAULT '',
    spaces     TEXT    NOT NULL DEFAULT '[]', -- more spaces whose public entries the member may see (JSON)
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_tokens_user ON web_tokens (platform, user_id);

-- Signed-in browsers, by the SHA-256 of their cookie.
CREATE TABLE web_sessions (
    hash       TEXT    PRIMARY KEY,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL,
    user_name  TEXT    NOT NULL DEFAULT '',
    spaces     TEXT    NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_user ON web_sessions (platform, user_id);

-- Each recall question asked and whether anything answered it: the home
-- page's chart of recall use. No text and no asker: counts only.
CREATE TABLE recall_uses (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    answered   INTEGER NOT NULL CHECK (answered IN (0, 1)),
    asked_at   INTEGER NOT NULL
);
CREATE INDEX recall_uses_at ON recall_uses (asked_at);

-- Every digest the bot posted, as posted (the digests table records the
-- claim, not the text).
CREATE TABLE digest_archive (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    space        TEXT    NOT NULL DEFAULT '',
    channel_id   TEXT    NOT NULL,
    channel_name TEXT    NOT NULL DEFAULT '',
    private      INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    message_id   TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL,
    posted_at    INTEGER NOT NULL
);
CREATE INDEX digest_archive_posted ON digest_archive (posted_at);
-- The members a digest names or quotes: forgetting one removes the digest.
CREATE TABLE digest_archive_people (
    digest_id INTEGER NOT NULL REFERENCES digest_archive (id) ON DELETE CASCADE,
    platform  TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    PRIMARY KEY (platform, user_id, digest_id)
) WITHOUT ROWID;
CREATE INDEX digest_archive_people_digest ON digest_archive_people (digest_id);

-- Pages list the newest entries first, the most useful first, a channel's
-- and a member's entries; contributors this month count savers by date.
CREATE INDEX entries_created ON entries (created_at);
CREATE INDEX entries_worth ON entries ((votes + helpful - unhelpful), created_at);
CREATE INDEX entries_channel_only ON entries (channel_id, created_at);
CREATE INDEX entries_author_only ON entries (author_id);
CREATE INDEX savers_saved ON savers (saved_at);
CREATE INDEX open_questions_asked ON open_questions (asked_at);

-- Counts per channel, week and kind, kept by triggers, so the home page's
-- totals and growth chart read a few thousand rows, not every entry. A week
-- is numbered from the Monday before the Unix epoch: (day + 3) / 7.
CREATE TABLE entry_counts (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL,
    week       INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id, private, week, kind)
) WITHOUT ROWID;
CREATE TRIGGER entry_counts_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entry_counts (platform, space, channel_id, private, week, kind, n)
    VALUES (new.platform, new.space, new.channel_id, new.private, (new.created_at / 86400000 + 3) / 7, new.kind, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER entry_counts_ad AFTER DELETE ON entries BEGIN
    UPDATE entry_counts SET n = n - 1 WHERE platform = old.platform AND space = old.space AND channel_id = old.channel_id
        AND private = old.private AND week = (old.created_at / 86400000 + 3) / 7 AND kind = old.kind;
END;
CREATE TRIGGER entry_counts_au AFTER UPDATE OF platform, space, channel_id, private, created_at, kind ON entries BEGIN
    UPDATE entry_counts SET n = n - 1 WHERE platform = old.platform AND space = old.space AND channel_id = old.channel_id
        AND private = old.private AND week = (old.created_at / 86400000 + 3) / 7 AND kind = old.kind;
    INSERT INTO entry_counts (platform, space, channel_id, private, week, kind, n)
    VALUES (new.platform, new.space, new.channel_id, new.private, (new.created_at / 86400000 + 3) / 7, new.kind, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
INSERT INTO entry_counts (platform, space, channel_id, private, week, kind, n)
SELECT platform, space, channel_id, private, (created_at / 86400000 + 3) / 7, kind, count(*) FROM entries
GROUP BY 1, 2, 3, 4, 5, 6;

-- Tags one per row, kept by triggers from entries.tags (space-separated,
-- normalised by Save), with the entry's channel, so a tag's page and the top
-- tags do not scan every entry's text. Tags that would not make a JSON array
-- (control characters) are left out rather than failing the write.
CREATE TABLE entry_tags (
    tag        TEXT    NOT NULL,
    entry_id   INTEGER NOT NULL,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL,
    PRIMARY KEY (tag, entry_id)
) WITHOUT ROWID;
CREATE INDEX entry_tags_entry ON entry_tags (entry_id);
CREATE TRIGGER entry_tags_ai AFTER INSERT ON entries WHEN new.tags <> '' BEGIN
    INSERT OR IGNORE INTO entry_tags (tag, entry_id, platform, space, channel_id, private)
    SELECT j.value, new.id, new.platform, new.space, new.channel_id, new.private
    FROM json_each(CASE WHEN json_valid('["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
        THEN '["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
    WHERE j.value <> '';
END;
CREATE TRIGGER entry_tags_au AFTER UPDATE OF tags, platform, space, channel_id, private ON entries BEGIN
    DELETE FROM entry_tags WHERE entry_id = new.id;
    INSERT OR IGNORE INTO entry_tags (tag, entry_id, platform, space, channel_id, private)
    SELECT j.value, new.id, new.platform, new.space, new.channel_id, new.private
    FROM json_each(CASE WHEN json_valid('["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
        THEN '["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
    WHERE j.value <> '';
END;
CREATE TRIGGER entry_tags_ad AFTER DELETE ON entries BEGIN
    DELETE FROM entry_tags WHERE entry_id = old.id;
END;
INSERT OR IGNORE INTO entry_tags (tag, entry_id, platform, space, channel_id, private)
SELECT j.value, e.id, e.platform, e.space, e.channel_id, e.private
FROM entries e, json_each(CASE WHEN json_valid('["' || replace(replace(replace(e.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
    THEN '["' || replace(replace(replace(e.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
WHERE e.tags <> '' AND j.value <> '';

-- Tag counts per channel, kept from entry_tags: the top tags.
CREATE TABLE tag_counts (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL,
    tag        TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id, private, tag)
) WITHOUT ROWID;
CREATE TRIGGER tag_counts_ai AFTER INSERT ON entry_tags BEGIN
    INSERT INTO tag_counts (platform, space, channel_id, private, tag, n)
    VALUES (new.platform, new.space, new.channel_id, new.private, new.tag, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tag_counts_ad AFTER DELETE ON entry_tags BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE platform = old.platform AND space = old.space AND channel_id = old.channel_id
        AND private = old.private AND tag = old.tag;
END;
INSERT INTO tag_counts (platform, space, channel_id, private, tag, n)
SELECT platform, space, channel_id, private, tag, count(*) FROM entry_tags GROUP BY 1, 2, 3, 4, 5;
