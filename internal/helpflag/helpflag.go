// Package helpflag gives the project's small command-line tools (cmd/) the
// convention `repertoire` follows: -h, -help and --help print the usage to
// standard output and the tool does nothing else and exits 0; a mistaken
// flag prints the error and the usage to standard error.
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
	return false, err
}
