// Package helpflag gives the project's small command-line tools (cmd/) the
// convention `repertoire` follows: -h, -help and --help print the usage to
// standard output and the tool does nothing else and exits 0; a mistaken
// flag prints the error and the usage to standard error. The tools take no
// arguments besides their flags: a lone "help" is asked for help too, and any
// other argument is an error, so that a mistyped command never starts a
// long run with its default flags.
package helpflag

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Parse parses args with fs. help reports that the usage was asked for and
// written to stdout: the caller returns nil at once. Otherwise the flag
// package's own messages (an error and the usage) go to fs's output.
// synopsis, when not empty, heads the usage ("recall-bench [-sizes N,…]…").
func Parse(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis string) (help bool, err error) {
	orig := fs.Output()
	if synopsis != "" {
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "usage: %s\n\nFlags:\n", synopsis)
			fs.PrintDefaults()
		}
	}
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err = fs.Parse(args)
	fs.SetOutput(orig)
	if errors.Is(err, flag.ErrHelp) {
		_, werr := stdout.Write(buf.Bytes())
		return true, werr
	}
	if buf.Len() > 0 {
		_, _ = orig.Write(buf.Bytes())
	}
	if err != nil {
		return false, err
	}
	switch rest := fs.Args(); {
	case len(rest) == 1 && rest[0] == "help":
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(orig)
		return true, nil
	case len(rest) > 0:
		err := fmt.Errorf("%s takes no arguments, got %q (flags go before any argument; -h lists them)", fs.Name(), rest[0])
		fmt.Fprintln(orig, err)
		fs.Usage()
		return false, err
	}
	return false, nil
}
