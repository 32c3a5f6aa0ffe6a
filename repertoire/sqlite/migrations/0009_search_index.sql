-- Recall's own postings, beside FTS5, so a search can return the exact top k
-- without reading every posting of a common word (issue 15). They are
-- derived from entries: triggers note each changed entry in search_dirty in
-- the writing transaction, and Store folds the noted entries into the
-- postings before that transaction commits (at once when an indexed entry
-- changed or went, in batches for new ones; searches score the few new ones
-- not folded yet from their rows).

-- Per stem: its document frequency, and the largest contribution one entry
-- can get from it (ub: saturated term weight times the entry's prior, at the
-- average field lengths in search_stats.bound_*; pmax: the largest prior).
CREATE TABLE search_terms (
    term TEXT    PRIMARY KEY,
    df   INTEGER NOT NULL,
    ub   REAL    NOT NULL,
    pmax REAL    NOT NULL
) WITHOUT ROWID;

-- Postings in chunks of about 128 entries, keyed by the first entry ID.
-- Each posting holds what scoring needs: term frequencies per field, field
-- lengths and the prior's inputs (votes, feedback, kind).
CREATE TABLE search_postings (
    term  TEXT    NOT NULL,
    first INTEGER NOT NULL,
    data  BLOB    NOT NULL,
    PRIMARY KEY (term, first)
) WITHOUT ROWID;

-- Totals: entries indexed, summed field lengths (question, answer, tags),
-- and the average lengths the stored bounds were computed at.
CREATE TABLE search_stats (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    n       INTEGER NOT NULL,
    sum_q   INTEGER NOT NULL,
    sum_a   INTEGER NOT NULL,
    sum_t   INTEGER NOT NULL,
    bound_q REAL    NOT NULL,
    bound_a REAL    NOT NULL,
    bound_t REAL    NOT NULL
);
INSERT INTO search_stats VALUES (1, 0, 0, 0, 0, 0, 0, 0);

-- Entries changed since they were folded into the postings. The old text is
-- kept only for an entry already indexed (to find its postings), and only
-- until the transaction that changed it commits.
CREATE TABLE search_dirty (
    id        INTEGER PRIMARY KEY,
    indexed   INTEGER NOT NULL DEFAULT 0,
    question  TEXT,
    answer    TEXT,
    tags      TEXT
);
INSERT INTO search_dirty (id) SELECT id FROM entries;
CREATE TRIGGER search_entries_ai AFTER INSERT ON entries BEGIN
    INSERT OR IGNORE INTO search_dirty (id) VALUES (new.id);
END;
CREATE TRIGGER search_entries_ad AFTER DELETE ON entries BEGIN
    INSERT OR IGNORE INTO search_dirty (id, indexed, question, answer, tags)
    VALUES (old.id, 1, old.question, old.answer, old.tags);
END;
CREATE TRIGGER search_entries_au AFTER UPDATE OF question, answer, tags, votes, helpful, unhelpful, kind ON entries
WHEN old.question IS NOT new.question OR old.answer IS NOT new.answer OR old.tags IS NOT new.tags
    OR old.votes IS NOT new.votes OR old.helpful IS NOT new.helpful OR old.unhelpful IS NOT new.unhelpful
    OR old.kind IS NOT new.kind
BEGIN
    INSERT OR IGNORE INTO search_dirty (id, indexed, question, answer, tags)
    VALUES (old.id, 1, old.question, old.answer, old.tags);
END;
