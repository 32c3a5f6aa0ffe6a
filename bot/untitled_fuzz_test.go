package bot

import (
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// FuzzAfterTitle: whatever the answer and snippet, afterTitle does not
// panic and leaves highlights inside its snippet, in order.
func FuzzAfterTitle(f *testing.F) {
	f.Add("restart the VPN\n\nwith systemctl", 4, 7, 30)
	f.Add("Tip: when the build cache is corrupted, run go clean -cache and then go build again; if that does not help", 0, 3, 100)
	f.Add("  héllo wörld\r\n…ünïcode…", 1, 5, 3)
	f.Fuzz(func(t *testing.T, answer string, from, to, n int) {
		if n < 2 || n > 500 {
			n = 100
		}
		snippet := answer
		if from >= 0 && from <= to && to <= len(answer) {
			snippet = "…" + answer[from:to] + "…"
		}
		h := repertoire.Hit{Entry: repertoire.Entry{Answer: answer}, Snippet: snippet}
		if i := strings.Index(snippet, " "); i > 0 {
			h.Highlights = []repertoire.Span{{Start: 0, End: i}}
		}
		got := afterTitle(h, n)
		at := 0
		for _, s := range got.Highlights {
			if s.Start < at || s.End > len(got.Snippet) || s.Start >= s.End {
				t.Fatalf("highlight %+v out of %q", s, got.Snippet)
			}
			at = s.End
		}
	})
}
