package repertoire

// Stats are the store's totals, for /metrics and status lines.
type Stats struct {
	Entries       int64
	Private       int64
	Detected      int64
	OpenQuestions int64
}
