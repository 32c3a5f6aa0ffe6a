-- Members who asked to be forgotten (issue 13): when, so that what they
-- wrote before then is not stored again by a delivery still pending at
-- the forget, a catch-up pass, an edit, another member's capture or an
-- import. What they write after it is stored as anyone's.
CREATE TABLE forgotten_members (
    platform     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    forgotten_at BIGINT  NOT NULL,
    PRIMARY KEY (platform, user_id)
);
