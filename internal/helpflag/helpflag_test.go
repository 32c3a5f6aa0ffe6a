package helpflag

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		help     bool
		err      bool
		out, msg string // on stdout, on the flag set's output
	}{
		{[]string{"-h"}, true, false, "usage: tool [-n N]", ""},
		{[]string{"--help"}, true, false, "-n int", ""},
		{[]string{"-n", "3", "-help"}, true, false, "usage: tool", ""},
		{[]string{"-n", "3"}, false, false, "", ""},
		{[]string{"-x"}, false, true, "", "flag provided but not defined: -x"},
		{[]string{"help"}, true, false, "usage: tool [-n N]", ""},
		{[]string{"--", "-h"}, false, true, "", "takes no arguments, got \"-h\""},
		{[]string{"-n", "3", "10000"}, false, true, "", "takes no arguments, got \"10000\""},
		{[]string{"run", "-h"}, false, true, "", "usage: tool [-n N]"},
	} {
		var stdout, stderr bytes.Buffer
		fs := flag.NewFlagSet("tool", flag.ContinueOnError)
		fs.SetOutput(&stderr)
		n := fs.Int("n", 1, "how many")
		help, err := Parse(fs, tc.args, &stdout, "tool [-n N]")
		if help != tc.help || (err != nil) != tc.err {
			t.Errorf("%v: help %v err %v", tc.args, help, err)
		}
		if !strings.Contains(stdout.String(), tc.out) || (tc.out == "" && stdout.Len() > 0) {
			t.Errorf("%v: stdout %q, want %q", tc.args, stdout.String(), tc.out)
		}
		if !strings.Contains(stderr.String(), tc.msg) || (tc.msg == "" && stderr.Len() > 0) {
			t.Errorf("%v: stderr %q, want %q", tc.args, stderr.String(), tc.msg)
		}
		if tc.args[0] == "-n" && *n != 3 {
			t.Errorf("%v: n = %d", tc.args, *n)
		}
	}
}
