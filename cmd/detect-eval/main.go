// Command detect-eval measures the detection core on real data nobody on the
// project wrote, side by side with simple baselines:
//
//   - answer selection on SemEval-2016 Task 3 (Qatar Living, dev): is the
//     reply chosen as the answer labelled Good; is "this reply is useful"
//     right over all comments;
//   - conversation assembly on the Ubuntu IRC disentanglement dev samples:
//     reply-link accuracy against people's annotation;
//   - detection on the LiveChat dialogs (Gitter): how many dialogs that open
//     with a question get an exchange the detector finds, and how many
//     suggestions it would make per 1,000 messages.
//
// Usage:
//
//	go run ./cmd/detect-eval -data ../shared/data [-only semeval|irc|livechat]
//
// The data is read where it lies; nothing is copied. Cite the sets' authors
// (see the data README) wherever a figure is reported.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "detect-eval:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect-eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "../shared/data", "folder holding semeval2016-cqa/, irc-disentanglement/ and livechat/")
	only := fs.String("only", "", "run one part: semeval, irc or livechat (all when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	parts := []struct {
		name string
		fn   func(context.Context, string, io.Writer) error
	}{
		{"semeval", func(ctx context.Context, dir string, w io.Writer) error {
			return evalSemEval(filepath.Join(dir, "semeval2016-cqa", "SemEval2016-Task3-CQA-QL-dev.xml"), w)
		}},
		{"irc", func(ctx context.Context, dir string, w io.Writer) error {
			return evalIRC(filepath.Join(dir, "irc-disentanglement"), w)
		}},
		{"livechat", func(ctx context.Context, dir string, w io.Writer) error {
			return evalLiveChat(ctx, filepath.Join(dir, "livechat"), w)
		}},
	}
	ran := false
	for _, p := range parts {
		if *only != "" && *only != p.name {
			continue
		}
		ran = true
		if err := p.fn(ctx, *data, stdout); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Fprintln(stdout)
	}
	if !ran {
		return fmt.Errorf("-only %q: want semeval, irc or livechat", *only)
	}
	return nil
}

func pct(n, d int) string {
	if d == 0 {
		return "   n/a"
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(d))
}

func prf(tp, fp, fn int) string {
	p, r := 0.0, 0.0
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	f := 0.0
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return fmt.Sprintf("P %5.1f%%  R %5.1f%%  F1 %5.1f%%", 100*p, 100*r, 100*f)
}
