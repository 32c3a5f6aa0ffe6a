-- Entries per channel and visibility (issue 15), kept by triggers in the
-- writing transaction, so that a search learns in a few rows whether every
-- entry is visible to the asking channel: it then admits the entries it
-- scores without asking the entries table of each (search.go,
-- searchvis.go). A row per (platform, space, channel_id, private); n is
-- its entries (0 once they are gone: such a row is ignored).
CREATE TABLE entry_scopes (
    platform   TEXT    NOT NULL,
    space      TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    private    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (platform, space, channel_id, private)
) WITHOUT ROWID;

INSERT INTO entry_scopes (platform, space, channel_id, private, n)
    SELECT platform, space, channel_id, private, count(*) FROM entries GROUP BY 1, 2, 3, 4;

CREATE TRIGGER entry_scopes_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entry_scopes (platform, space, channel_id, private, n)
        VALUES (new.platform, new.space, new.channel_id, new.private, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entry_scopes_ad AFTER DELETE ON entries BEGIN
    UPDATE entry_scopes SET n = n - 1 WHERE platform = old.platform AND space = old.space
        AND channel_id = old.channel_id AND private = old.private;
END;

CREATE TRIGGER entry_scopes_au AFTER UPDATE OF platform, space, channel_id, private ON entries
WHEN old.platform IS NOT new.platform OR old.space IS NOT new.space
    OR old.channel_id IS NOT new.channel_id OR old.private IS NOT new.private BEGIN
    UPDATE entry_scopes SET n = n - 1 WHERE platform = old.platform AND space = old.space
        AND channel_id = old.channel_id AND private = old.private;
    INSERT INTO entry_scopes (platform, space, channel_id, private, n)
        VALUES (new.platform, new.space, new.channel_id, new.private, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
