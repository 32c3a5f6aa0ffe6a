package discord_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain lets up to six parallel tests run at once unless -parallel says
// otherwise: the session tests spend most of their second in discordgo's
// Close, which sleeps a full second after the close frame, not on a core,
// so the default (GOMAXPROCS, 2 in CI) leaves the package mostly waiting.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", "6"); err != nil {
			fmt.Fprintln(os.Stderr, "discord tests: keeping the default -parallel:", err)
		}
	}
	os.Exit(m.Run())
}
