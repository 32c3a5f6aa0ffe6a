-- Entries by kind, visibility and status, kept current by triggers in the
-- writing transaction, so that metrics read a handful of rows instead of
-- counting the entries table on every scrape.
CREATE TABLE entry_kind_counts (
    kind    TEXT    NOT NULL,
    private INTEGER NOT NULL,
    status  TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (kind, private, status)
) WITHOUT ROWID;

INSERT INTO entry_kind_counts (kind, private, status, n)
    SELECT kind, private, status, count(*) FROM entries GROUP BY kind, private, status;

CREATE TRIGGER entry_kind_counts_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entry_kind_counts (kind, private, status, n) VALUES (new.kind, new.private, new.status, 1)
        ON CONFLICT (kind, private, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entry_kind_counts_ad AFTER DELETE ON entries BEGIN
    UPDATE entry_kind_counts SET n = n - 1 WHERE kind = old.kind AND private = old.private AND status = old.status;
END;

CREATE TRIGGER entry_kind_counts_au AFTER UPDATE OF kind, private, status ON entries
WHEN old.kind IS NOT new.kind OR old.private IS NOT new.private OR old.status IS NOT new.status BEGIN
    UPDATE entry_kind_counts SET n = n - 1 WHERE kind = old.kind AND private = old.private AND status = old.status;
    INSERT INTO entry_kind_counts (kind, private, status, n) VALUES (new.kind, new.private, new.status, 1)
        ON CONFLICT (kind, private, status) DO UPDATE SET n = n + 1;
END;
