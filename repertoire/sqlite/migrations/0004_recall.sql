-- Recall: feedback on recall answers, and similar-question nudges (issue 7).

-- 👍 and 👎 given to recall answers that showed an entry, kept by triggers on
-- recall_feedback; ranking and digests read them.
ALTER TABLE entries ADD COLUMN helpful INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN unhelpful INTEGER NOT NULL DEFAULT 0;

-- A message the bot posted with recall results (an answer or a nudge), and
-- the entries it showed, so a reaction on that message reaches them.
CREATE TABLE recall_answers (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    posted_at  INTEGER NOT NULL,
    UNIQUE (platform, space, channel_id, message_id)
);
CREATE INDEX recall_answers_posted ON recall_answers (posted_at);
CREATE TABLE recall_answer_entries (
    answer_id INTEGER NOT NULL REFERENCES recall_answers (id) ON DELETE CASCADE,
    entry_id  INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (answer_id, entry_id)
) WITHOUT ROWID;
CREATE INDEX recall_answer_entries_entry ON recall_answer_entries (entry_id);

-- One 👍 and one 👎 at most per member per answer. A member's feedback
-- counts for every entry the answer showed.
CREATE TABLE recall_feedback (
    answer_id INTEGER NOT NULL REFERENCES recall_answers (id) ON DELETE CASCADE,
    user_id   TEXT    NOT NULL,
    helpful   INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    given_at  INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_id, helpful)
) WITHOUT ROWID;
CREATE INDEX recall_feedback_user ON recall_feedback (user_id);
CREATE TRIGGER recall_feedback_ai AFTER INSERT ON recall_feedback BEGIN
    UPDATE entries SET helpful = helpful + new.helpful, unhelpful = unhelpful + 1 - new.helpful
    WHERE id IN (SELECT entry_id FROM recall_answer_entries WHERE answer_id = new.answer_id);
END;
CREATE TRIGGER recall_feedback_ad AFTER DELETE ON recall_feedback BEGIN
    UPDATE entries SET helpful = helpful - old.helpful, unhelpful = unhelpful - 1 + old.helpful
    WHERE id IN (SELECT entry_id FROM recall_answer_entries WHERE answer_id = old.answer_id);
END;

-- Channels that opted in to similar-question nudges.
CREATE TABLE nudge_channels (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    enabled_at INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id)
) WITHOUT ROWID;

-- Threads the bot nudged in: never twice per thread.
CREATE TABLE nudged_threads (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL DEFAULT '',
    channel_id TEXT    NOT NULL,
    thread_id  TEXT    NOT NULL,
    nudged_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id, thread_id)
) WITHOUT ROWID;
