-- Digest schedules: one row per channel that set its own (from chat). A
-- channel without a row gets the configured default; a row with enabled = 0
-- ("digest off") gets nothing.
CREATE TABLE digest_schedules (
    platform        TEXT    NOT NULL,
    space           TEXT    NOT NULL DEFAULT '',
    channel_id      TEXT    NOT NULL,
    channel_name    TEXT    NOT NULL DEFAULT '',
    private         INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    spec            TEXT    NOT NULL,             -- 5-field cron spec, in zone
    zone            TEXT    NOT NULL,             -- IANA zone name
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    quiet           TEXT    NOT NULL DEFAULT '' CHECK (quiet IN ('', 'note', 'skip')), -- '' = the configured default
    updated_by      TEXT    NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id)
) WITHOUT ROWID;

-- Digests: one row per channel and scheduled period, inserted (claimed)
-- before posting and marked sent after. The UNIQUE constraint is what makes
-- a restart, a repeated tick or a second process post a period once.
CREATE TABLE digests (
    id            INTEGER PRIMARY KEY,
    platform      TEXT    NOT NULL,
    space         TEXT    NOT NULL DEFAULT '',
    channel_id    TEXT    NOT NULL,
    period_start  INTEGER NOT NULL,
    period_end    INTEGER NOT NULL, -- the scheduled fire time (Unix ms)
    status        TEXT    NOT NULL CHECK (status IN ('posting', 'sent', 'skipped', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 1,
    claimed_by    TEXT    NOT NULL DEFAULT '',
    claimed_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    message_id    TEXT    NOT NULL DEFAULT '',
    entries       INTEGER NOT NULL DEFAULT 0,
    rediscover_id INTEGER,          -- the older entry featured, so the next digest picks another
    error         TEXT    NOT NULL DEFAULT '',
    UNIQUE (platform, space, channel_id, period_end)
);
CREATE INDEX digests_rediscover ON digests (platform, space, channel_id, rediscover_id) WHERE rediscover_id IS NOT NULL;

-- The older entry to rediscover is the channel's best one not featured yet:
-- walk the channel's entries by votes instead of sorting them all.
CREATE INDEX entries_channel_votes ON entries (platform, space, channel_id, votes DESC, created_at);
