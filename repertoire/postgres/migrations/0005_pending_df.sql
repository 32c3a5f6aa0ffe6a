-- search_terms counts merged postings only (df, pmax), as the SQLite
-- store's does: a save no longer updates a row per stem there; a search
-- adds a stem's pending rows to its df (search.go) and their priors to its
-- pmax (searchprune.go), and the merge counts what it moves. Migration
-- 0004 counted pending postings in df: they are taken out here.
UPDATE search_terms t SET df = t.df - p.n
    FROM (SELECT term, count(*) AS n FROM search_pending GROUP BY term) AS p
    WHERE t.term = p.term;
DELETE FROM search_terms WHERE df <= 0;
