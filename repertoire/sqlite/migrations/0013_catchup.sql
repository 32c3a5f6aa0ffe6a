-- Catch-up after downtime: how far each channel's history has been read
-- back and reconciled with what the bot knows. done_at is when the last
-- complete pass started (everything older was reconciled as of then);
-- pass_at, cursor and cursor_at are a pass in progress, so a restart
-- resumes it from the oldest message it had read instead of starting over.
-- Only IDs and times: no member's words.
CREATE TABLE catchup (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    done_at    INTEGER NOT NULL DEFAULT 0,
    pass_at    INTEGER NOT NULL DEFAULT 0,
    cursor     TEXT    NOT NULL DEFAULT '',
    cursor_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, space, channel_id)
) WITHOUT ROWID;
