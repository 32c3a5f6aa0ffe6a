package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/interchange"
)

const exportUsage = `usage: repertoire export -format markdown|json|csv [-channel ID] [-out DIR] [-private]

  json      everything, private entries included, for "repertoire import repertoire"
  csv       one row per entry; a cell starting like a formula (= + - @) gets a leading '
  markdown  one file per entry with front matter, and an index per tag (needs -out)

Markdown and CSV hold public entries only, unless -channel names a channel
(its entries, private or not) or -private is given.`

// exportCommand writes the repertoire out in a form other tools read.
func exportCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("export", &cfg, stderr)
	format := fs.String("format", "json", "markdown, json or csv")
	channel := fs.String("channel", "", "only this channel ID")
	out := fs.String("out", "", "directory to write to (json and csv: standard output when empty)")
	private := fs.Bool("private", false, "markdown and csv: include private channels and DMs")
	if err := noArgs(fs, args, stdout); err != nil {
		return err
	}
	p := repertoire.ExportParams{Channel: *channel, Private: *private || *channel != ""}
	var name string
	switch *format {
	case "json":
		p.Private, name = true, "repertoire.json"
	case "csv":
		name = "repertoire.csv"
	case "markdown", "md":
		if *out == "" {
			return fmt.Errorf("%w: -format markdown needs -out DIR", errUsage)
		}
	default:
		fmt.Fprintln(stderr, exportUsage)
		return fmt.Errorf("%w: unknown -format %q (markdown, json or csv)", errUsage, *format)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if name == "" {
		n, err := interchange.WriteMarkdown(ctx, store, p, *out)
		if err != nil {
			return fmt.Errorf("export markdown: %w", err)
		}
		fmt.Fprintf(stderr, "exported %s to %s\n", entriesCount(n), *out)
		return nil
	}
	w := stdout
	var f *os.File
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if f, err = os.Create(filepath.Join(*out, name)); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	var n int
	if *format == "json" {
		n, err = interchange.WriteJSON(ctx, store, p, bw)
	} else {
		n, err = interchange.WriteCSV(ctx, store, p, bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", *format, err)
	}
	if f != nil {
		fmt.Fprintf(stderr, "exported %s to %s\n", entriesCount(n), f.Name())
	}
	return nil
}
