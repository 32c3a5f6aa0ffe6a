-- Entries: what the community saved. The answer message is the entry's source;
-- the thread's opening question, when there is one, is kept beside it.
CREATE TABLE entries (
    id                   INTEGER PRIMARY KEY,
    platform             TEXT    NOT NULL,
    space                TEXT    NOT NULL DEFAULT '',
    channel_id           TEXT    NOT NULL,
    channel_name         TEXT    NOT NULL DEFAULT '',
    private              INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    source_id            TEXT    NOT NULL,
    thread_id            TEXT    NOT NULL DEFAULT '',
    question_id          TEXT    NOT NULL DEFAULT '',
    permalink            TEXT    NOT NULL DEFAULT '',
    kind                 TEXT    NOT NULL CHECK (kind IN ('tip', 'solution', 'story', 'how-we-do')),
    status               TEXT    NOT NULL DEFAULT 'saved' CHECK (status IN ('saved', 'detected')),
    question             TEXT    NOT NULL DEFAULT '',
    question_author_id   TEXT    NOT NULL DEFAULT '',
    question_author_name TEXT    NOT NULL DEFAULT '',
    answer               TEXT    NOT NULL,
    author_id            TEXT    NOT NULL,
    author_name          TEXT    NOT NULL DEFAULT '',
    tags                 TEXT    NOT NULL DEFAULT '',
    votes                INTEGER NOT NULL DEFAULT 0, -- savers + voters, kept by triggers
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (platform, space, channel_id, source_id)
);
CREATE INDEX entries_question_src ON entries (platform, space, channel_id, question_id) WHERE question_id <> '';
CREATE INDEX entries_author ON entries (platform, author_id);
CREATE INDEX entries_question_author ON entries (platform, question_author_id) WHERE question_author_id <> '';
CREATE INDEX entries_channel_created ON entries (platform, space, channel_id, created_at);

-- Savers are the members who reacted with a capture emoji first (or ran save).
CREATE TABLE savers (
    entry_id  INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    user_id   TEXT    NOT NULL,
    user_name TEXT    NOT NULL DEFAULT '',
    saved_at  INTEGER NOT NULL,
    PRIMARY KEY (entry_id, user_id)
) WITHOUT ROWID;
CREATE INDEX savers_user ON savers (user_id);
CREATE TRIGGER savers_ai AFTER INSERT ON savers BEGIN
    UPDATE entries SET votes = votes + 1 WHERE id = new.entry_id;
END;
CREATE TRIGGER savers_ad AFTER DELETE ON savers BEGIN
    UPDATE entries SET votes = votes - 1 WHERE id = old.entry_id;
END;

-- Votes: endorsements by members other than the savers, one per member per
-- entry. entries.votes counts savers and voters alike (every member who
-- endorsed the entry) and follows both tables through triggers.
CREATE TABLE votes (
    entry_id  INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    user_id   TEXT    NOT NULL,
    user_name TEXT    NOT NULL DEFAULT '',
    voted_at  INTEGER NOT NULL,
    PRIMARY KEY (entry_id, user_id)
) WITHOUT ROWID;
CREATE INDEX votes_user ON votes (user_id);
CREATE TRIGGER votes_ai AFTER INSERT ON votes BEGIN
    UPDATE entries SET votes = votes + 1 WHERE id = new.entry_id;
END;
CREATE TRIGGER votes_ad AFTER DELETE ON votes BEGIN
    UPDATE entries SET votes = votes - 1 WHERE id = old.entry_id;
END;

-- Full-text index over question, answer and tags, kept in sync by triggers in
-- the writing transaction. secure-delete removes a deleted row's tokens from
-- the index at once, so "forget me" leaves nothing behind.
CREATE VIRTUAL TABLE entries_fts USING fts5(
    question, answer, tags,
    content = 'entries', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO entries_fts (entries_fts, rank) VALUES ('secure-delete', 1);
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, question, answer, tags) VALUES (new.id, new.question, new.answer, new.tags);
END;
CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, question, answer, tags) VALUES ('delete', old.id, old.question, old.answer, old.tags);
END;
CREATE TRIGGER entries_au AFTER UPDATE OF question, answer, tags ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, question, answer, tags) VALUES ('delete', old.id, old.question, old.answer, old.tags);
    INSERT INTO entries_fts (rowid, question, answer, tags) VALUES (new.id, new.question, new.answer, new.tags);
END;

-- Questions recall could not answer; digests list them.
CREATE TABLE open_questions (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL DEFAULT 0,
    message_id TEXT    NOT NULL DEFAULT '',
    asker_id   TEXT    NOT NULL,
    asker_name TEXT    NOT NULL DEFAULT '',
    text       TEXT    NOT NULL,
    asked_at   INTEGER NOT NULL
);
CREATE INDEX open_questions_channel ON open_questions (platform, space, channel_id, asked_at);
CREATE INDEX open_questions_asker ON open_questions (platform, asker_id);

-- Platform delivery IDs already applied: a redelivered event changes nothing.
CREATE TABLE applied_events (
    id         TEXT    PRIMARY KEY,
    applied_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX applied_events_at ON applied_events (applied_at);
