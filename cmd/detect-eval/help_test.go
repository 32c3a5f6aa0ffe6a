package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpDoesNothingElse: -h, -help and --help print the usage on stdout
// and return success without reading data or writing the model.
func TestHelpDoesNothingElse(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"-only", "irc", "-h"}} {
		dir := t.TempDir()
		model := filepath.Join(dir, "weights.go")
		var out, errs bytes.Buffer
		// Without -h, a missing data folder is an error.
		err := run(context.Background(), append([]string{"-data", filepath.Join(dir, "missing"), "-train-answer", model}, args...), &out, &errs)
		if err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.HasPrefix(out.String(), "usage: detect-eval") || !strings.Contains(out.String(), "-livechat") || errs.Len() > 0 {
			t.Errorf("%v: stdout %q, stderr %q", args, out.String(), errs.String())
		}
		if _, err := os.Stat(model); err == nil {
			t.Errorf("%v: wrote the model", args)
		}
	}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-nonsense"}, &out, &errs); err == nil || !strings.Contains(errs.String(), "usage: detect-eval") {
		t.Errorf("an unknown flag: err %v, stderr %q", err, errs.String())
	}
}
