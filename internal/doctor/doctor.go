// Package doctor is the checklist `repertoire doctor` prints: each check
// says what it looked at and what it found and, when something is wrong,
// how to fix it. The adapters fill it with their platform's checks; cmd
// prints it. It does no I/O itself.
package doctor

// Status is a check's outcome.
type Status int

const (
	// OK: nothing to do.
	OK Status = iota
	// Warn: works, but probably not as the operator meant; the doctor's
	// exit status stays 0.
	Warn
	// Fail: broken; the doctor exits non-zero.
	Fail
)

// Mark is the status's sign in the printed list.
func (s Status) Mark() string {
	switch s {
	case Warn:
		return "!"
	case Fail:
		return "✗"
	}
	return "✓"
}

// Finding is one line of the checklist.
type Finding struct {
	Status Status
	What   string // what was checked, and what was found
	Fix    string // how to fix it, when not OK
}

// List collects findings in the order they are made.
type List struct {
	Findings []Finding
}

// OK records a check that passed.
func (l *List) OK(what string) { l.Findings = append(l.Findings, Finding{OK, what, ""}) }

// Warn records a check that passed with a caveat, and what to do about it.
func (l *List) Warn(what, fix string) { l.Findings = append(l.Findings, Finding{Warn, what, fix}) }

// Fail records a check that failed, and how to fix it.
func (l *List) Fail(what, fix string) { l.Findings = append(l.Findings, Finding{Fail, what, fix}) }

// Add records ok as OK, otherwise as Fail with fix.
func (l *List) Add(ok bool, what, fix string) {
	if ok {
		l.OK(what) // a passing check has nothing to fix
	} else {
		l.Fail(what, fix)
	}
}

// Count returns how many findings have status s.
func (l *List) Count(s Status) int {
	n := 0
	for _, f := range l.Findings {
		if f.Status == s {
			n++
		}
	}
	return n
}
