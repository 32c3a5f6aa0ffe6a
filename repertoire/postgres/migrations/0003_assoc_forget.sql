-- Word associations forget what their entries taught (issue 16), as SQLite
-- migration 0019 does: each pair learned is recorded with the entry it came
-- from and the keys it counted; deleting that entry, changing its text or
-- making it private subtracts what it taught, and keys no pair holds any
-- more are removed. Counts learned before cannot be traced to an entry, so
-- they are dropped.
DELETE FROM assoc_pairs;
DELETE FROM assoc_terms;
UPDATE assoc_stats SET pairs = 0 WHERE id = 1;

CREATE TABLE assoc_learned (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id BIGINT NOT NULL,
    q        TEXT[] COLLATE "C" NOT NULL,
    a        TEXT[] COLLATE "C" NOT NULL
);
CREATE INDEX assoc_learned_entry ON assoc_learned (entry_id);

CREATE FUNCTION assoc_learned_unlearn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assoc_stats SET pairs = pairs - 1 WHERE id = 1;
    UPDATE assoc_terms SET
        q = assoc_terms.q - (assoc_terms.term = ANY (OLD.q))::integer,
        a = assoc_terms.a - (assoc_terms.term = ANY (OLD.a))::integer
     WHERE assoc_terms.term = ANY (OLD.q || OLD.a);
    DELETE FROM assoc_terms WHERE assoc_terms.term = ANY (OLD.q || OLD.a) AND assoc_terms.q <= 0 AND assoc_terms.a <= 0;
    UPDATE assoc_pairs SET n = assoc_pairs.n - 1 WHERE assoc_pairs.q = ANY (OLD.q) AND assoc_pairs.a = ANY (OLD.a);
    DELETE FROM assoc_pairs WHERE assoc_pairs.q = ANY (OLD.q) AND assoc_pairs.a = ANY (OLD.a) AND assoc_pairs.n <= 0;
    RETURN NULL;
END $$;
CREATE TRIGGER assoc_learned_unlearn AFTER DELETE ON assoc_learned
    FOR EACH ROW EXECUTE FUNCTION assoc_learned_unlearn();

CREATE FUNCTION entries_unlearn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM assoc_learned WHERE entry_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER entries_unlearn_delete AFTER DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION entries_unlearn();
CREATE TRIGGER entries_unlearn_change AFTER UPDATE OF question, answer, private ON entries
    FOR EACH ROW WHEN (OLD.question IS DISTINCT FROM NEW.question OR OLD.answer IS DISTINCT FROM NEW.answer
        OR (NEW.private <> 0 AND OLD.private = 0))
    EXECUTE FUNCTION entries_unlearn();
