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
//	go run ./cmd/detect-eval -semeval FILE -irc DIR -livechat DIR
//
// Each data set is taken by flag and any file of the same format is read;
// the tool prints the files it read. The answer model's weights are fitted
// by one command (deterministic):
//
//	go run ./cmd/detect-eval -semeval FILE -train-answer bot/answer_weights.go
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

	"github.com/repertoire/repertoire/internal/helpflag"
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
	data := fs.String("data", "../shared/data", "folder holding semeval2016-cqa/, irc-disentanglement/ and livechat/ (each overridable below)")
	semeval := fs.String("semeval", "", "SemEval-2016 Task 3 XML file (default: DATA/semeval2016-cqa/SemEval2016-Task3-CQA-QL-dev.xml)")
	irc := fs.String("irc", "", "folder of IRC disentanglement *.raw.txt and *.annotation.txt (default: DATA/irc-disentanglement)")
	livechat := fs.String("livechat", "", "folder of LiveChat dialog *.txt files (default: DATA/livechat)")
	only := fs.String("only", "", "run one part: semeval, irc or livechat (all when empty)")
	trainAnswerTo := fs.String("train-answer", "", "fit the answer model on the -semeval file and write it to this Go file (bot/answer_weights.go), then stop")
	trainDetectOn := fs.Bool("train-detect", false, "choose the detection threshold on the -livechat folder and print it, then stop")
	if help, err := helpflag.Parse(fs, args, stdout, "detect-eval [-data DIR] [-only semeval|irc|livechat] [-semeval FILE] [-irc DIR] [-livechat DIR] [-train-answer FILE.go] [-train-detect]"); help || err != nil {
		return err
	}
	if *semeval == "" {
		*semeval = filepath.Join(*data, "semeval2016-cqa", "SemEval2016-Task3-CQA-QL-dev.xml")
	}
	if *irc == "" {
		*irc = filepath.Join(*data, "irc-disentanglement")
	}
	if *livechat == "" {
		*livechat = filepath.Join(*data, "livechat")
	}
	if *trainAnswerTo != "" {
		return trainAnswer(*semeval, *trainAnswerTo, stdout)
	}
	if *trainDetectOn {
		return trainDetect(ctx, *livechat, stdout)
	}
	parts := []struct {
		name string
		fn   func(context.Context, io.Writer) error
	}{
		{"semeval", func(ctx context.Context, w io.Writer) error { return evalSemEval(*semeval, w) }},
		{"irc", func(ctx context.Context, w io.Writer) error { return evalIRC(*irc, w) }},
		{"livechat", func(ctx context.Context, w io.Writer) error { return evalLiveChat(ctx, *livechat, w) }},
	}
	ran := false
	for _, p := range parts {
		if *only != "" && *only != p.name {
			continue
		}
		ran = true
		if err := p.fn(ctx, stdout); err != nil {
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
