// Package sqlite is the repertoire's store in one SQLite file through
// modernc.org/sqlite: entries, their savers and votes, the search index,
// open questions, digest schedules and the digests claimed per (channel,
// period) and the delivery IDs already applied; the inbox is a second file
// beside it (inboxfile.go), so that an acknowledgement never waits for the
// first one's write lock. It implements repertoire.Store.
//
// The methods whose SQL both engines share live once in
// repertoire/internal/sqlcore, which this store embeds with SQLite's
// dialect (core.go: index hints, join order, json_each); this package keeps
// the search index, bulk indexing, migrations, transactions on the one
// writer connection, job locks and backups.
//
// Each exported method of Store is one transaction. Visibility is enforced in
// SQL: an entry from a private channel is only ever selected for that channel.
package sqlite
