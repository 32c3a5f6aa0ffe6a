package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/storetest"
)

// TestMatchExpressionQuotesEveryTerm: user text never reaches FTS5's MATCH
// as syntax.
func TestMatchExpressionQuotesEveryTerm(t *testing.T) {
	for _, text := range storetest.UserTexts() {
		m := repertoire.MatchExpression(text)
		for _, term := range strings.Split(m, " OR ") {
			if m == "" {
				break
			}
			if len(term) < 3 || term[0] != '"' || term[len(term)-1] != '"' || strings.Contains(term[1:len(term)-1], `"`) {
				t.Errorf("MatchExpression(%q) has unquoted term %q", text, term)
			}
		}
	}
}

func FuzzSearch(f *testing.F) {
	for _, text := range storetest.UserTexts() {
		f.Add(text)
	}
	ctx := context.Background()
	s := MustOpen(f)
	if _, _, err := s.Save(ctx, saveParams("m1", "Run certbot renew, then reload nginx. #tls", "U3")); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := s.Search(ctx, repertoire.SearchParams{Text: text, From: general}); err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
	})
}
