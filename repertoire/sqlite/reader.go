package sqlite

// ForReading opens the store for a read-only command (search, entries,
// export, doctor): the search index's background work, its merge and the
// top lists' builds, does not start. Those are write transactions, and a
// short-lived reader beside a running bot or an import would take the
// write lock for them (a top list of a common stem holds it for a second
// at 100,000 entries) and cut them short when it exits. The writer that
// owns the database, the bot or an import, does that work.
func ForReading() Option { return func(s *Store) { s.reader = true } }
