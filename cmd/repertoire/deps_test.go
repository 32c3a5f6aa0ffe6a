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
// the domain package repertoire on the standard library only, each store
// beneath it on its own driver, bot on the store contract only, no chat SDK
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
			case top == "repertoire" && inModule && localTop != "repertoire" &&
				!(strings.HasPrefix(rel, "repertoire/interchange/") && (local == "internal/safe" || local == "adapters/exportfile")):
				bad = "repertoire and the stores beneath it import nothing else of the module (interchange: the safe-text and export-file readers)"
			case top == "repertoire" && !strings.Contains(strings.TrimPrefix(rel, "repertoire/"), "/") && !std && !strings.HasSuffix(f.Name.Name, "_test"):
				bad = "the domain package repertoire imports only the standard library"
			case top == "repertoire" && !std && !inModule && !ownDriver(rel, p):
				bad = "each store imports its own driver only (repertoire/sqlite: modernc.org/sqlite, repertoire/postgres: github.com/jackc/)"
			case top == "bot" && !strings.HasSuffix(rel, "_test.go") && inModule && (strings.HasPrefix(local, "repertoire/") && local != "repertoire/storetest"):
				bad = "bot takes the store contract (repertoire.Store), never a store"
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

// ownDriver reports whether the file at rel, under repertoire/, may import
// the third-party package p: a store its driver.
func ownDriver(rel, p string) bool {
	switch {
	case strings.HasPrefix(rel, "repertoire/sqlite/"):
		return strings.HasPrefix(p, "modernc.org/sqlite")
	case strings.HasPrefix(rel, "repertoire/postgres/"):
		return strings.HasPrefix(p, "github.com/jackc/")
	}
	return false
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
