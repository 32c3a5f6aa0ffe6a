package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestHelpDoesNothingElse: -h, -help and --help print the usage on stdout
// and return success before anything is built.
func TestHelpDoesNothingElse(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"-sizes", "1000", "-h"}} {
		dir := t.TempDir()
		var out, errs bytes.Buffer
		if err := run(context.Background(), append([]string{"-dir", dir}, args...), &out, &errs); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.HasPrefix(out.String(), "usage: recall-bench") || !strings.Contains(out.String(), "-sizes") || errs.Len() > 0 {
			t.Errorf("%v: stdout %q, stderr %q", args, out.String(), errs.String())
		}
		if files, _ := os.ReadDir(dir); len(files) > 0 {
			t.Errorf("%v: wrote %d files into -dir", args, len(files))
		}
	}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-nonsense"}, &out, &errs); err == nil || !strings.Contains(errs.String(), "usage: recall-bench") {
		t.Errorf("an unknown flag: err %v, stderr %q", err, errs.String())
	}
}
