package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestCoreWritesNoMarkup enforces DESIGN.md: the core and the store compose
// structure (bot.Doc, match spans) and never a platform's markup. They
// import no markup helper of any platform, and no string literal of theirs
// holds Slack or Discord syntax: bold or italic markers around a value
// (*%s*, **…**, _%s_), mrkdwn links and entities (<url|…>, &gt;), block
// quotes (> at a line start), Discord subtext (-#) or mention syntax.
func TestCoreWritesNoMarkup(t *testing.T) {
	markupPkgs := []string{"github.com/slack-go/", "github.com/bwmarrin/discordgo", "html/template", "markdown", "goldmark", "blackfriday"}
	markup := regexp.MustCompile(`\*%[sdvq]|%[sdvq]\*|\*\*|_%[sdvq]_|<https?:|\|%s>|&gt;|&lt;|&amp;|(^|\n)> |(^|\n)-# |<[!@#][A-Za-z0-9&^]`)
	checked := 0
	for _, dir := range []string{"bot", "repertoire"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, m := range markupPkgs {
					if strings.Contains(p, m) {
						t.Errorf("%s imports %s: the core and the store import no platform's markup helpers", path, p)
					}
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || strings.HasPrefix(lit.Value, "`") && looksLikeRegexp(s) {
					return true
				}
				if m := markup.FindString(s); m != "" {
					t.Errorf("%s: string %s holds platform markup %q: compose a bot.Doc instead", path, lit.Value, m)
				}
				return true
			})
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}

// looksLikeRegexp tells the core's regular expressions (raw strings with
// escapes and classes) from text it posts.
func looksLikeRegexp(s string) bool {
	return strings.Contains(s, `\`) || strings.Contains(s, "(?") || strings.Contains(s, "[")
}
