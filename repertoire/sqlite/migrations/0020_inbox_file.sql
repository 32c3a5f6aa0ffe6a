-- The inbox has a file of its own beside the database (InboxPath,
-- inboxfile.go): an acknowledgement commits there, without waiting for this
-- file's write lock. The table kept here holds what is still to move into
-- that file: an earlier release's inbox, or the pending items a backup
-- carries. The store's first write to the inbox moves these rows over and
-- deletes them here.
ALTER TABLE inbox RENAME TO inbox_to_move;
