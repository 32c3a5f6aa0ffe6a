-- Postings of entries saved since the last merge (issue 15). A member's
-- save writes one small row per (stem, entry) here instead of rewriting a
-- chunk of search_postings per stem; every search reads a stem's pending
-- rows beside its chunks (they are few), and a background merge moves them
-- into the chunks a bounded number of stems per transaction. Each row is
-- one posting in the chunk format (search_postings.data with first = id),
-- with the same bound search_terms.ub keeps for the stem (bound) and the
-- entry's prior without the kind factor (pmax). search_terms counts only
-- merged postings: a search adds the pending rows to df, ub and pmax.
CREATE TABLE search_pending (
    term  TEXT    NOT NULL,
    id    INTEGER NOT NULL,
    bound REAL    NOT NULL,
    pmax  REAL    NOT NULL,
    data  BLOB    NOT NULL,
    PRIMARY KEY (term, id)
) WITHOUT ROWID;

-- How many rows search_pending holds: a save past a threshold wakes the
-- merge without counting the table.
ALTER TABLE search_stats ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- Each chunk now keeps its last entry ID and its bound: the largest
-- contribution one of its entries can get from the stem (as
-- search_terms.ub, over the chunk's postings only). A search reads the
-- headers (first, last, bound) from the index alone, and a chunk's postings
-- by rowid only when an entry in it can reach the top k (block-max
-- pruning). A rowid table, because a chunk's postings overflow a page: in a
-- WITHOUT ROWID table every key comparison of a seek read the overflow
-- pages too. The postings are rebuilt from the entries: the store folds
-- them when it opens.
DROP TABLE search_postings;
CREATE TABLE search_postings (
    id    INTEGER PRIMARY KEY,
    term  TEXT    NOT NULL,
    first INTEGER NOT NULL,
    last  INTEGER NOT NULL,
    bound REAL    NOT NULL,
    data  BLOB    NOT NULL
);
-- One chunk per (term, first); last and bound ride along so that headers
-- are read from the index without touching the table.
CREATE UNIQUE INDEX search_postings_head ON search_postings (term, first, last, bound);
DELETE FROM search_terms;
UPDATE search_stats SET n = 0, sum_q = 0, sum_a = 0, sum_t = 0, bound_q = 0, bound_a = 0, bound_t = 0, pending = 0;
DELETE FROM search_dirty;
INSERT INTO search_dirty (id) SELECT id FROM entries;
