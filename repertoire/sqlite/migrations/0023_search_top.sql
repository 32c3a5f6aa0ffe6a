-- Top postings of common stems (issue 15): a copy, beside a stem's chunks,
-- of the postings whose bound is at least a cut, so that an exact search
-- for common words walks a short list and only probes the long one.
--
-- The layout, for a port to another engine:
--
--   search_top (term PRIMARY KEY, cut, df, ub, pmax)
--       One row per stem that has a top list: cut, in the units of
--       search_postings.bound (Saturate(TfnOf(tf, lens, search_stats.bound_*))
--       × PriorOf(prior, false)), chosen when the list is built (about the
--       1/16 of the stem's postings with the highest bound); df, ub, pmax the
--       list's own totals, as search_terms keeps for the stem.
--   search_top_postings (id rowid, term, first, last, bound, data)
--       The top list in ID order, in chunks exactly as search_postings: every
--       posting of the stem whose bound is at least cut, and no other; each
--       is a copy of the posting in search_postings or search_pending.
--
-- The invariant a search relies on: an entry holding the stem whose posting
-- is not in the top list gets at most cut from it. Every write transaction
-- keeps it, in the fold that changes the stem's postings. A stem without a
-- row here is read as before. The lists are built after this migration (in
-- the background, stem by stem, and by Optimize): nothing is rebuilt here.
CREATE TABLE search_top (
    term TEXT PRIMARY KEY,
    cut  REAL    NOT NULL,
    df   INTEGER NOT NULL DEFAULT 0,
    ub   REAL    NOT NULL DEFAULT 0,
    pmax REAL    NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE search_top_postings (
    id    INTEGER PRIMARY KEY,
    term  TEXT    NOT NULL,
    first INTEGER NOT NULL,
    last  INTEGER NOT NULL,
    bound REAL    NOT NULL,
    data  BLOB    NOT NULL
);
CREATE UNIQUE INDEX search_top_postings_heads ON search_top_postings (term, first, last, bound);
