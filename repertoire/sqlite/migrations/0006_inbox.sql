-- The inbox: every platform delivery the bot acknowledges is committed here
-- first (Slack's Events API answer, a Socket Mode ack) or as it arrives (the
-- Discord Gateway), then applied from here in arrival order per channel and
-- marked applied. A kill between ack and apply loses nothing: the next start
-- applies what is pending. Applied rows stay a while so a platform's retry of
-- a delivery already taken is recognised at the door.
CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order, never reused (the reader keeps a cursor)
    platform    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,          -- the adapter's payload type
    delivery    TEXT    NOT NULL DEFAULT '', -- the platform's delivery ID ('' when it gives none)
    channel     TEXT    NOT NULL DEFAULT '', -- order key: events of one channel apply in seq order
    payload     BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    applied_at  INTEGER
);
CREATE UNIQUE INDEX inbox_delivery ON inbox (platform, delivery) WHERE delivery <> '';
CREATE INDEX inbox_pending ON inbox (seq) WHERE applied_at IS NULL;
CREATE INDEX inbox_applied ON inbox (applied_at) WHERE applied_at IS NOT NULL;
