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

// TestZipfCPUProfile: -cpuprofile writes a profile of the timed searches
// (gzip-compressed, as runtime/pprof writes one), and none without it.
func TestZipfCPUProfile(t *testing.T) {
	dir := t.TempDir()
	prof := dir + "/search.prof"
	var out bytes.Buffer
	args := []string{"-dir", dir, "-corpus", "zipf", "-sizes", "2000", "-queries", "20", "-baseline-queries", "1",
		"-exhaustive-queries", "1", "-bot-path=false", "-cpuprofile", prof}
	if err := run(context.Background(), args, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("the profile is not gzip data (%d bytes)", len(b))
	}
	if err := run(context.Background(), []string{"-dir", dir, "-corpus", "zipf", "-sizes", "2000", "-queries", "2", "-baseline-queries", "1",
		"-exhaustive-queries", "1", "-bot-path=false", "-reuse", "-cpuprofile", dir + "/no/such/dir/x.prof"}, &out, &out); err == nil {
		t.Error("a profile that cannot be written: no error")
	}
}
