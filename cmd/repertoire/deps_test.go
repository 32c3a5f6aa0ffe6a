package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/repertoire/repertoire"

// TestImportDirection enforces DESIGN.md: cmd → adapters → bot → repertoire,
// repertoire on the standard library and the SQLite driver only, no chat SDK
// in bot, no store in adapters. Test files count too, except external test
// packages that exercise a package from outside.
func TestImportDirection(t *testing.T) {
	root := filepath.Join("..", "..")
	sdk := []string{"github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/gorilla/websocket"}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		top, _, _ := strings.Cut(rel, "/")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			inModule := strings.HasPrefix(p, module+"/")
			local := strings.TrimPrefix(p, module+"/")
			localTop, _, _ := strings.Cut(local, "/")
			std := !strings.Contains(strings.Split(p, "/")[0], ".")
			var bad string
			switch {
			case inModule && localTop == "cmd":
				bad = "nothing imports cmd"
			case top == "repertoire" && !std && !strings.HasPrefix(p, "modernc.org/sqlite") && !(inModule && localTop == "repertoire"):
				bad = "repertoire imports only the standard library and modernc.org/sqlite"
			case top == "bot" && inModule && localTop == "adapters":
				bad = "bot never imports adapters"
			case top == "bot" && hasAnyPrefix(p, sdk):
				bad = "bot never imports a chat SDK"
			case top == "adapters" && inModule && localTop == "repertoire" && !strings.HasSuffix(f.Name.Name, "_test"):
				bad = "adapters never import repertoire (only their external tests may, to check the store)"
			}
			if bad != "" {
				t.Errorf("%s imports %s: %s", rel, p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d files: is the walk rooted right?", checked)
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
