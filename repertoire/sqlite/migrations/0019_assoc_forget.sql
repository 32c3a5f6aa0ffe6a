-- Word associations forget what their entries taught (issue 16). Each pair
-- learned is recorded with the entry it came from and the keys it counted;
-- when that entry is deleted (its message deleted, its author forgotten,
-- its workspace purged), its text changes (an edit, a forgotten asker's
-- question) or it becomes private, what it taught is subtracted, and keys
-- no pair holds any more are removed, so no word of it stays in the counts.
--
-- Counts learned before this migration cannot be traced to their entries,
-- so they could never be taken back: they are dropped. Entries saved or
-- found helpful from now on teach again.
DELETE FROM assoc_pairs;
DELETE FROM assoc_terms;
UPDATE assoc_stats SET pairs = 0 WHERE id = 1;

-- One row per pair learned: the entry, and the distinct keys counted from
-- its question and its answer (JSON arrays of strings).
CREATE TABLE assoc_learned (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL,
    q        TEXT    NOT NULL,
    a        TEXT    NOT NULL
);
CREATE INDEX assoc_learned_entry ON assoc_learned (entry_id);

-- Taking one learned pair back undoes exactly what learning it added.
CREATE TRIGGER assoc_learned_unlearn AFTER DELETE ON assoc_learned BEGIN
    UPDATE assoc_stats SET pairs = pairs - 1 WHERE id = 1;
    UPDATE assoc_terms SET
        q = q - (term IN (SELECT value FROM json_each(old.q))),
        a = a - (term IN (SELECT value FROM json_each(old.a)))
     WHERE term IN (SELECT value FROM json_each(old.q) UNION SELECT value FROM json_each(old.a));
    DELETE FROM assoc_terms WHERE q <= 0 AND a <= 0
       AND term IN (SELECT value FROM json_each(old.q) UNION SELECT value FROM json_each(old.a));
    UPDATE assoc_pairs SET n = n - 1
     WHERE q IN (SELECT value FROM json_each(old.q)) AND a IN (SELECT value FROM json_each(old.a));
    DELETE FROM assoc_pairs WHERE n <= 0
       AND q IN (SELECT value FROM json_each(old.q)) AND a IN (SELECT value FROM json_each(old.a));
END;

CREATE TRIGGER entries_unlearn_delete AFTER DELETE ON entries BEGIN
    DELETE FROM assoc_learned WHERE entry_id = old.id;
END;

CREATE TRIGGER entries_unlearn_change AFTER UPDATE OF question, answer, private ON entries
WHEN old.question IS NOT new.question OR old.answer IS NOT new.answer OR (new.private <> 0 AND old.private = 0)
BEGIN
    DELETE FROM assoc_learned WHERE entry_id = old.id;
END;
