package doctor

import "testing"

func TestList(t *testing.T) {
	var l List
	l.OK("a")
	l.Warn("b", "do b")
	l.Add(false, "c", "do c")
	l.Add(true, "d", "ignored")
	if l.Count(OK) != 2 || l.Count(Warn) != 1 || l.Count(Fail) != 1 {
		t.Errorf("counts: %+v", l.Findings)
	}
	if f := l.Findings[2]; f.Status != Fail || f.What != "c" || f.Fix != "do c" {
		t.Errorf("Add(false): %+v", f)
	}
	if f := l.Findings[3]; f.Status != OK || f.Fix != "" {
		t.Errorf("Add(true) kept a fix: %+v", f)
	}
	if OK.Mark() != "✓" || Warn.Mark() != "!" || Fail.Mark() != "✗" {
		t.Error("marks")
	}
}
