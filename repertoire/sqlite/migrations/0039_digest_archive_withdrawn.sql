-- An archived digest (the web page's /digests) quotes its entries as they
-- were posted. When an entry's source is deleted, or its question or answer
-- edited (an edit to "nvm", a forget me), what the member took back must
-- not stay readable there: the archived digests of its channel that quote
-- it leave the archive. A digest names each entry it quotes by its
-- permalink on a line of its own, so the permalink followed by a newline
-- finds them (and not an entry whose permalink merely starts the same).
CREATE INDEX digest_archive_channel ON digest_archive (platform, space, channel_id);

CREATE TRIGGER entries_withdraw_archived_ad AFTER DELETE ON entries
WHEN old.permalink <> '' BEGIN
    DELETE FROM digest_archive WHERE platform = old.platform AND space = old.space AND channel_id = old.channel_id
        AND instr(text || char(10), old.permalink || char(10)) > 0;
END;

CREATE TRIGGER entries_withdraw_archived_au AFTER UPDATE OF question, answer ON entries
WHEN old.permalink <> '' AND (old.question IS NOT new.question OR old.answer IS NOT new.answer) BEGIN
    DELETE FROM digest_archive WHERE platform = old.platform AND space = old.space AND channel_id = old.channel_id
        AND instr(text || char(10), old.permalink || char(10)) > 0;
END;
