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

-- Pages list the newest entries first.
CREATE INDEX entries_created ON entries (created_at);

-- Tags one per row, kept by triggers from entries.tags (space-separated,
-- normalised by Save), so a tag's page and the top tags do not scan every
-- entry's text. Tags that would not make a JSON array (control characters)
-- are left out rather than failing the write.
CREATE TABLE entry_tags (
    tag      TEXT    NOT NULL,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, entry_id)
) WITHOUT ROWID;
CREATE INDEX entry_tags_entry ON entry_tags (entry_id);
CREATE TRIGGER entry_tags_ai AFTER INSERT ON entries WHEN new.tags <> '' BEGIN
    INSERT OR IGNORE INTO entry_tags (tag, entry_id)
    SELECT j.value, new.id FROM json_each(CASE WHEN json_valid('["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
        THEN '["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
    WHERE j.value <> '';
END;
CREATE TRIGGER entry_tags_au AFTER UPDATE OF tags ON entries BEGIN
    DELETE FROM entry_tags WHERE entry_id = new.id;
    INSERT OR IGNORE INTO entry_tags (tag, entry_id)
    SELECT j.value, new.id FROM json_each(CASE WHEN json_valid('["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
        THEN '["' || replace(replace(replace(new.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
    WHERE j.value <> '';
END;
INSERT OR IGNORE INTO entry_tags (tag, entry_id)
SELECT j.value, e.id FROM entries e, json_each(CASE WHEN json_valid('["' || replace(replace(replace(e.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]')
    THEN '["' || replace(replace(replace(e.tags, '\', '\\'), '"', '\"'), ' ', '","') || '"]' ELSE '[]' END) AS j
WHERE e.tags <> '' AND j.value <> '';
