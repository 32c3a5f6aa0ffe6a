// Package sqlite is the repertoire's store in one SQLite file through
// modernc.org/sqlite: entries, their savers and votes, the search index,
// open questions, digest schedules and the digests claimed per (channel,
// period), the inbox and the delivery IDs already applied. It implements
// repertoire.Store.
//
// Each exported method of Store is one transaction. Visibility is enforced in
// SQL: an entry from a private channel is only ever selected for that channel.
package sqlite
