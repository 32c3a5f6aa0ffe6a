-- Recall's postings in chunks (issue 19), as the SQLite store keeps them
-- (its migration 0015): per stem, runs of up to 128 postings in entry ID
-- order, each chunk one row with its first and last entry ID and its
-- bound, the largest score contribution one of its entries can get from
-- the stem (saturated weight at the bound averages, times the entry's
-- prior without the kind factor). A search reads the headers (term, first,
-- last, bound) from the index alone and a chunk's postings only when an
-- entry in it can still enter the top k (block-max pruning, search
-- prune.go). A posting keeps what scoring needs (frequencies, field
-- lengths, positions, votes, feedback and kind), so an entry is scored
-- from its postings without reading its text.
DROP TABLE search_postings;
CREATE TABLE search_chunks (
    term  TEXT COLLATE "C" NOT NULL,
    first BIGINT NOT NULL,
    last  BIGINT NOT NULL,
    bound FLOAT8 NOT NULL,
    data  BYTEA  NOT NULL,
    PRIMARY KEY (term, first) INCLUDE (last, bound)
);
-- Chunks are a few KiB of varints that do not compress: kept out of line
-- without trying.
ALTER TABLE search_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Per stem, the largest prior without the kind factor of an entry holding
-- it (pmax): it bounds the proximity a word can add, and with the
-- saturation's ceiling a prefix that stands for several stems.
ALTER TABLE search_terms ADD COLUMN pmax FLOAT8 NOT NULL DEFAULT 0;
-- The average field lengths the bounds are computed at: fixed by the first
-- fold, so a stored bound stays valid (scaled by the drift of the
-- averages, rank.go's AvgDrift).
ALTER TABLE search_stats ADD COLUMN bound_q FLOAT8 NOT NULL DEFAULT 0;
ALTER TABLE search_stats ADD COLUMN bound_a FLOAT8 NOT NULL DEFAULT 0;
ALTER TABLE search_stats ADD COLUMN bound_t FLOAT8 NOT NULL DEFAULT 0;

-- A posting keeps the entry's votes and feedback: their changes re-index
-- it (kind already does, through entry_derived).
CREATE FUNCTION entry_prior_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_dirty (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER entry_prior_changed AFTER UPDATE OF votes, helpful, unhelpful ON entries FOR EACH ROW
    WHEN ((OLD.votes, OLD.helpful, OLD.unhelpful) IS DISTINCT FROM (NEW.votes, NEW.helpful, NEW.unhelpful))
    EXECUTE FUNCTION entry_prior_changed();

-- Rebuild the index from the entries: the writing transaction that applies
-- this migration folds every entry in before it commits.
DELETE FROM search_docs;
DELETE FROM search_terms;
UPDATE search_stats SET n = 0, sum_q = 0, sum_a = 0, sum_t = 0;
INSERT INTO search_dirty (id) SELECT id FROM entries ON CONFLICT DO NOTHING;
