-- Terms derived from an entry's text to tag it (what sets it apart from
-- the rest of the repertoire). Kept apart from members' tags because they
-- are cleared whenever the text they came from changes or is forgotten.
ALTER TABLE entries ADD COLUMN terms TEXT NOT NULL DEFAULT '';

-- The message log: what members posted recently, so the detector can look
-- back at a conversation. Kept for a retention period (pruned by time), and
-- edited, deleted and forgotten exactly as entries are.
CREATE TABLE messages (
    platform     TEXT    NOT NULL,
    space        TEXT    NOT NULL DEFAULT '',
    channel_id   TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    channel_name TEXT    NOT NULL DEFAULT '',
    private      INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    thread_id    TEXT    NOT NULL DEFAULT '',
    reply_to     TEXT    NOT NULL DEFAULT '',
    author_id    TEXT    NOT NULL,
    author_name  TEXT    NOT NULL DEFAULT '',
    author_bot   INTEGER NOT NULL DEFAULT 0 CHECK (author_bot IN (0, 1)),
    text         TEXT    NOT NULL,
    permalink    TEXT    NOT NULL DEFAULT '',
    posted_at    INTEGER NOT NULL,
    edited_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, space, channel_id, message_id)
) WITHOUT ROWID;
CREATE INDEX messages_channel_time ON messages (platform, space, channel_id, posted_at);
CREATE INDEX messages_thread ON messages (platform, space, channel_id, thread_id) WHERE thread_id <> '';
CREATE INDEX messages_author ON messages (platform, author_id);
CREATE INDEX messages_posted ON messages (posted_at);

-- Reactions seen on logged messages (the detector counts endorsements and
-- the asker's ✅ or 🙏); they go with their message.
CREATE TABLE message_reactions (
    platform   TEXT NOT NULL,
    space      TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    emoji      TEXT NOT NULL,
    PRIMARY KEY (platform, space, channel_id, message_id, user_id, emoji),
    FOREIGN KEY (platform, space, channel_id, message_id)
        REFERENCES messages (platform, space, channel_id, message_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX message_reactions_user ON message_reactions (platform, user_id);

-- What detection does in a channel; a channel without a row suggests.
CREATE TABLE detect_modes (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    mode       TEXT    NOT NULL CHECK (mode IN ('suggest', 'auto', 'off')),
    set_by     TEXT    NOT NULL DEFAULT '',
    set_at     INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id)
) WITHOUT ROWID;

-- Detection decisions with their reasons: one per conversation, so a thread
-- is never suggested twice. Reasons name signals, never members' words.
CREATE TABLE detections (
    id            INTEGER PRIMARY KEY,
    platform      TEXT    NOT NULL,
    space         TEXT    NOT NULL DEFAULT '',
    channel_id    TEXT    NOT NULL,
    thread_id     TEXT    NOT NULL,
    question_id   TEXT    NOT NULL,
    answer_id     TEXT    NOT NULL,
    asker_id      TEXT    NOT NULL DEFAULT '',
    answerer_id   TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL,
    score         REAL    NOT NULL,
    action        TEXT    NOT NULL CHECK (action IN ('suggested', 'saved')),
    reasons       TEXT    NOT NULL DEFAULT '',
    suggestion_id TEXT    NOT NULL DEFAULT '',
    entry_id      INTEGER,
    decided_at    INTEGER NOT NULL,
    UNIQUE (platform, space, channel_id, thread_id)
);
CREATE INDEX detections_channel_time ON detections (platform, space, channel_id, action, decided_at);
CREATE INDEX detections_suggestion ON detections (platform, space, channel_id, suggestion_id) WHERE suggestion_id <> '';
CREATE INDEX detections_people ON detections (platform, asker_id, answerer_id);
