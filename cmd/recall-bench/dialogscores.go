package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/repertoire/repertoire/internal/learn"
)

// namedRow is one row of a cross-validated table: its name and each
// question's held-out figures.
type namedRow struct {
	name string
	ss   []cvScore
}

// dialogID is the LiveChat dialog a known-item query asks for.
func dialogID(q *cvQuery) string {
	for id := range q.relevant {
		return id
	}
	return ""
}

// writeDialogScores writes each dialog's held-out top-3 and top-1 per row,
// tab-separated (dialog, row, top-3, top-1), so that two runs that read
// the dialogs differently can be compared dialog by dialog.
func writeDialogScores(path string, queries []*cvQuery, rows []namedRow) error {
	var b strings.Builder
	for i, q := range queries {
		for _, r := range rows {
			if r.ss != nil {
				fmt.Fprintf(&b, "%s\t%s\t%g\t%g\n", dialogID(q), r.name, r.ss[i].top3, r.ss[i].top1)
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// compareDialogScores prints, for each row that this run and the scores
// file of another run (writeDialogScores) both hold, this run minus the
// other over the dialogs both read, with a paired 95% bootstrap interval.
func compareDialogScores(w io.Writer, path string, queries []*cvQuery, rows []namedRow) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	other := map[string]map[string][2]float64{} // row → dialog → top-3, top-1
	for n, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return fmt.Errorf("%s:%d: not dialog, row, top-3, top-1", path, n+1)
		}
		t3, err3 := strconv.ParseFloat(f[2], 64)
		t1, err1 := strconv.ParseFloat(f[3], 64)
		if err3 != nil || err1 != nil {
			return fmt.Errorf("%s:%d: not dialog, row, top-3, top-1", path, n+1)
		}
		if other[f[1]] == nil {
			other[f[1]] = map[string][2]float64{}
		}
		other[f[1]][f[0]] = [2]float64{t3, t1}
	}
	fmt.Fprintf(w, "dialog by dialog, this run - %s (paired 95%% bootstrap over the dialogs both read):\n", path)
	for ri, r := range rows {
		o := other[r.name]
		if r.ss == nil || o == nil {
			continue
		}
		var diff [2][]float64
		for i, q := range queries {
			if v, ok := o[dialogID(q)]; ok {
				diff[0] = append(diff[0], r.ss[i].top3-v[0])
				diff[1] = append(diff[1], r.ss[i].top1-v[1])
			}
		}
		for m, name := range []string{"top-3", "top-1"} {
			d := diff[m]
			iv := learn.Bootstrap(len(d), 2000, uint64(300+10*ri+m), func(idx []int) float64 {
				s := 0.0
				for _, i := range idx {
					s += d[i]
				}
				return s / float64(max(len(idx), 1))
			})
			fmt.Fprintf(w, "  %-6s %-24s %s (%d dialogs)\n", name, r.name, iv.Dec(), len(d))
		}
	}
	return nil
}
