-- Word associations learned from the community's own saved question–answer
-- pairs (issue 16): which words of questions go with which words of their
-- answers ("crashloop" with "restart"), so recall can find an entry that
-- answers in other words. Only counts are kept, of word keys (lower case,
-- cut to five letters), never text; the bot decides which keys of a pair
-- are counted and how the counts become weights (bot/assoc.go).

-- Per key: how many learned pairs hold it in their question, and in their answer.
CREATE TABLE assoc_terms (
    term TEXT    PRIMARY KEY,
    q    INTEGER NOT NULL DEFAULT 0,
    a    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Per question key and answer key: how many learned pairs hold both. No
-- index on n: it would double what learning a pair writes; a lookup reads
-- a key's partners and keeps the most frequent.
CREATE TABLE assoc_pairs (
    q TEXT    NOT NULL,
    a TEXT    NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (q, a)
) WITHOUT ROWID;

-- How many pairs were learned.
CREATE TABLE assoc_stats (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    pairs INTEGER NOT NULL
);
INSERT INTO assoc_stats VALUES (1, 0);
