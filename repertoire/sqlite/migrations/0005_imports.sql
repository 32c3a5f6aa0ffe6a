-- Imports of chat exports and repertoire files: each finished unit (a channel
-- file of a Slack export, a Discord export file, a batch of a repertoire file)
-- is recorded in the transaction that wrote its entries, so an interrupted
-- import resumes where it stopped and a repeated one writes nothing.
CREATE TABLE import_units (
    import_id   TEXT    NOT NULL, -- identity of the export's content
    unit        TEXT    NOT NULL, -- the file (or batch) inside it
    entries     INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    PRIMARY KEY (import_id, unit)
) WITHOUT ROWID;
