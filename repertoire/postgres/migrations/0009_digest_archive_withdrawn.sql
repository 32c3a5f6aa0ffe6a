-- An archived digest (the web page's /digests) quotes its entries as they
-- were posted. When an entry's source is deleted, or its question or answer
-- edited (an edit to "nvm", a forget me), what the member took back must
-- not stay readable there: the archived digests of its channel that quote
-- it leave the archive. A digest names each entry it quotes by its
-- permalink on a line of its own, so the permalink followed by a newline
-- finds them (and not an entry whose permalink merely starts the same).
-- SQLite's migration 0039 is the twin.
CREATE INDEX digest_archive_channel ON digest_archive (platform, space, channel_id);

CREATE FUNCTION withdraw_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.permalink <> '' AND (TG_OP = 'DELETE' OR OLD.question IS DISTINCT FROM NEW.question
        OR OLD.answer IS DISTINCT FROM NEW.answer) THEN
        DELETE FROM digest_archive WHERE platform = OLD.platform AND space = OLD.space AND channel_id = OLD.channel_id
            AND strpos(text || E'\n', OLD.permalink || E'\n') > 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER entries_withdraw_archived AFTER DELETE OR UPDATE OF question, answer ON entries
    FOR EACH ROW EXECUTE FUNCTION withdraw_archived();
