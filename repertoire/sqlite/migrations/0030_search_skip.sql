-- Each chunk of search_postings keeps a skip list beside its postings: for
-- each posting in ID order, its ID minus the previous one's (the chunk's
-- first ID for the first, so 0) as an unsigned varint, then one byte that
-- bounds its bound (skip.go). It rides in the headers' index, so a search
-- learns which entries a chunk holds, and about what each can add, from
-- the index alone (about 2 bytes a posting, where the postings take 12),
-- and reads a chunk's postings only for the entries that may still reach
-- the top k. NULL: not written yet (a store from before); the search then
-- reads the chunk, and Optimize and the background fill it in.
-- search_top_postings gets the column too, so one writer serves both.
ALTER TABLE search_postings ADD COLUMN skip BLOB;
ALTER TABLE search_top_postings ADD COLUMN skip BLOB;
DROP INDEX search_postings_head;
CREATE UNIQUE INDEX search_postings_head ON search_postings (term, first, last, bound, skip);
-- Where filling in the skip lists of the chunks written before got to (by
-- rowid; every chunk written since has one); no row once done.
CREATE TABLE search_skip_fill (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    after INTEGER NOT NULL
);
INSERT INTO search_skip_fill (id, after) VALUES (1, -9223372036854775808);
