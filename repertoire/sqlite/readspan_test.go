package sqlite

import "testing"

// A span is read as a range of rowids: it must hold every rowid of the
// range and nothing else, or the range would read chunks of other stems
// (or miss some) — those go by the JSON list.
func TestIsSpan(t *testing.T) {
	for _, c := range []struct {
		rowids []int64
		want   bool
	}{
		{nil, false},
		{[]int64{7}, true},
		{[]int64{7, 8, 9}, true},
		{[]int64{7, 9}, false}, // a chunk of another stem between
		{[]int64{7, 8, 10, 11}, false},
		{[]int64{9, 8}, false}, // descending
		{[]int64{7, 7}, false},
	} {
		if got := isSpan(c.rowids); got != c.want {
			t.Errorf("isSpan(%v) = %v, want %v", c.rowids, got, c.want)
		}
	}
}
