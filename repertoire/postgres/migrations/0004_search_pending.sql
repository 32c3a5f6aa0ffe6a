-- Postings of entries saved since the last merge (issue 19), as the SQLite
-- store's search_pending (its migration 0015). A member's save writes one
-- small row per (stem, entry) here instead of rewriting the last chunk of
-- each of its stems in search_chunks; a search reads the pending rows of
-- its stems beside their chunk headers, and a background merge moves them
-- into the chunks a bounded number of stems per transaction. data is one
-- posting in the chunk format (search_chunks.data with first = id). An
-- entry's posting of a stem is here or in a chunk, never both. Unlike the
-- SQLite store, search_terms counts pending postings too (df, pmax): a save
-- updates its stems' rows there either way.
CREATE TABLE search_pending (
    term TEXT COLLATE "C" NOT NULL,
    id   BIGINT NOT NULL,
    data BYTEA  NOT NULL,
    PRIMARY KEY (term, id)
);

-- How many rows search_pending holds: a save past a threshold wakes the
-- merge without counting the table.
ALTER TABLE search_stats ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
