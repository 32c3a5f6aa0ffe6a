package main

import (
	"fmt"
	"os"
	"strings"
)

// namedRow is one row of a cross-validated table: its name and each
// question's held-out figures.
type namedRow struct {
	name string
	ss   []cvScore
}

// writeDialogScores writes each dialog's held-out top-3 and top-1 per row,
// tab-separated (dialog, row, top-3, top-1), so that two runs that read
// the dialogs differently can be compared dialog by dialog.
func writeDialogScores(path string, queries []*cvQuery, rows []namedRow) error {
	var b strings.Builder
	for i, q := range queries {
		var id string
		for r := range q.relevant {
			id = r
		}
		for _, r := range rows {
			if r.ss != nil {
				fmt.Fprintf(&b, "%s\t%s\t%g\t%g\n", id, r.name, r.ss[i].top3, r.ss[i].top1)
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
