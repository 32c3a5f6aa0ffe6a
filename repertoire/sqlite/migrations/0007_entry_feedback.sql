-- Feedback per entry (issue 14). A recall answer lists up to three entries;
-- a 👍 on the whole answer used to count for all of them. Now a member's
-- verdict is about one entry: a "This helped" / "Not it" button beside it,
-- or a reaction on the answer, which counts for its first entry only. One
-- verdict per member and entry, whichever way it was given (the latest
-- wins); entries.helpful and entries.unhelpful count them.
CREATE TABLE entry_feedback (
    entry_id  INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    platform  TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    helpful   INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    answer_id INTEGER REFERENCES recall_answers (id) ON DELETE SET NULL, -- where it was given
    given_at  INTEGER NOT NULL,
    PRIMARY KEY (entry_id, platform, user_id)
) WITHOUT ROWID;
CREATE INDEX entry_feedback_user ON entry_feedback (platform, user_id);
CREATE INDEX entry_feedback_answer ON entry_feedback (answer_id);

CREATE TRIGGER entry_feedback_ai AFTER INSERT ON entry_feedback BEGIN
    UPDATE entries SET helpful = helpful + new.helpful, unhelpful = unhelpful + 1 - new.helpful WHERE id = new.entry_id;
END;
CREATE TRIGGER entry_feedback_ad AFTER DELETE ON entry_feedback BEGIN
    UPDATE entries SET helpful = helpful - old.helpful, unhelpful = unhelpful - 1 + old.helpful WHERE id = old.entry_id;
END;
CREATE TRIGGER entry_feedback_au AFTER UPDATE OF helpful ON entry_feedback BEGIN
    UPDATE entries SET helpful = helpful - old.helpful + new.helpful,
        unhelpful = unhelpful - (1 - old.helpful) + (1 - new.helpful) WHERE id = new.entry_id;
END;

-- Reactions on an answer (recall_feedback) become the verdict on its first entry.
DROP TRIGGER recall_feedback_ai;
DROP TRIGGER recall_feedback_ad;
CREATE TRIGGER recall_feedback_ai AFTER INSERT ON recall_feedback BEGIN
    INSERT INTO entry_feedback (entry_id, platform, user_id, helpful, answer_id, given_at)
    SELECT rae.entry_id, ra.platform, new.user_id, new.helpful, new.answer_id, new.given_at
    FROM recall_answer_entries rae JOIN recall_answers ra ON ra.id = rae.answer_id
    WHERE rae.answer_id = new.answer_id
      AND rae.position = (SELECT min(position) FROM recall_answer_entries WHERE answer_id = new.answer_id)
    ON CONFLICT (entry_id, platform, user_id) DO UPDATE SET helpful = excluded.helpful,
        answer_id = excluded.answer_id, given_at = excluded.given_at;
END;
CREATE TRIGGER recall_feedback_ad AFTER DELETE ON recall_feedback BEGIN
    DELETE FROM entry_feedback WHERE answer_id = old.answer_id AND user_id = old.user_id AND helpful = old.helpful
      AND platform = (SELECT platform FROM recall_answers WHERE id = old.answer_id)
      AND entry_id = (SELECT entry_id FROM recall_answer_entries WHERE answer_id = old.answer_id ORDER BY position LIMIT 1);
END;

-- What was counted before: each member's reactions, now for first entries only.
UPDATE entries SET helpful = 0, unhelpful = 0 WHERE helpful != 0 OR unhelpful != 0;
INSERT INTO entry_feedback (entry_id, platform, user_id, helpful, answer_id, given_at)
SELECT rae.entry_id, ra.platform, rf.user_id, rf.helpful, rf.answer_id, rf.given_at
FROM recall_feedback rf
JOIN recall_answers ra ON ra.id = rf.answer_id
JOIN recall_answer_entries rae ON rae.answer_id = rf.answer_id
WHERE rae.position = (SELECT min(position) FROM recall_answer_entries WHERE answer_id = rf.answer_id)
ORDER BY rf.given_at
ON CONFLICT (entry_id, platform, user_id) DO UPDATE SET helpful = excluded.helpful,
    answer_id = excluded.answer_id, given_at = excluded.given_at;
