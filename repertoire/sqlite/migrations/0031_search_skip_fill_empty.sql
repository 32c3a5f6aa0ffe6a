-- A store without chunks has no skip list to fill: 0030's fill row would
-- only make the background open a write transaction at the first open
-- (which folds whatever entries wait, under a caller that meant to fold
-- them itself). Chunks written from now on carry their skip lists.
DELETE FROM search_skip_fill WHERE NOT EXISTS (SELECT 1 FROM search_postings);
