package repertoire

// Purged counts what PurgeSpace removed.
type Purged struct {
	Entries       int // with their savers and votes (cascade) and index rows
	OpenQuestions int
	Messages      int // the message log, with its reactions (cascade)
}
