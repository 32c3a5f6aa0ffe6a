-- A member's "forget me" waiting for its confirmation: the request that
-- asked and when. Kept here, not in the bot's memory, so a confirmation
-- after a restart still confirms, and one that comes too late is told
-- that the request expired. The confirming forget removes the row in its
-- own transaction; a new request replaces it.
CREATE TABLE forget_requests (
    platform TEXT    NOT NULL,
    user_id  TEXT    NOT NULL,
    request  TEXT    NOT NULL,
    asked_at BIGINT  NOT NULL,
    PRIMARY KEY (platform, user_id)
);
