package repertoire

// EntryCount is how many entries there are of one kind, visibility and
// status.
type EntryCount struct {
	Kind    Kind
	Private bool
	Status  Status
	N       int64
}
