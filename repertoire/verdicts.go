package repertoire

// Verdict is one kind of verdict members gave on one entry of a recall
// answer: "This helped" (Helpful) or "Not it".
type Verdict struct {
	Entry   int64
	Helpful bool
}
