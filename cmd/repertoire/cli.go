package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// errHelp is returned by parseArgs when -h, --help or a lone "help" asked
// for a command's usage: the usage is printed and the command does nothing
// else; run turns it into exit status 0.
var errHelp = errors.New("help requested")

// commandUsage is each subcommand's synopsis and description, printed by
// "repertoire help CMD", "CMD -h" and "CMD --help" above its flags.
var commandUsage = map[string]string{
	"run": `usage: repertoire [run] [-db FILE]

Runs the bot: Slack and/or Discord when their tokens are set (see README.md),
otherwise the shell adapter on standard input and output.`,
	"search": `usage: repertoire search [-n N] [-db FILE] [--] TEXT…

Recalls from the terminal, as a public channel would (public entries only).
A word starting with - excludes it ("repertoire search -- -kubernetes rollback");
"--" ends the flags, so "repertoire search -- help" searches for "help".`,
	"entries": `usage: repertoire entries [-n N] [-channel ID] [-db FILE]

Lists the newest entries, private ones included (this is the operator's view).`,
	"digest": `usage: repertoire digest -channel ID [-platform NAME] [-since DATE] [-dry-run] [-db FILE]

Prints a channel's digest for the period from -since (default: the channel's
last scheduled digest) to now, and posts it unless -dry-run is given.`,
	"import": importUsage,
	"export": exportUsage,
	"doctor": `usage: repertoire doctor [-db FILE]

Checks the deployment and prints a checklist, each line ✓, ! (works, with a
caveat) or ✗ with how to fix it: the configuration; the database
(quick_check, schema version, WAL size, free disk); Slack (auth.test, the
token's scopes against adapters/slack/manifest.json, Socket Mode's connection
and hello or the Events API's secret and listener, the channels the bot is
in); Discord (the token, the Message Content intent, the bot's permissions in
each server against the invite's, the commands registered); the digest
schedules and their next runs. Changes nothing; exits 1 when a check fails.`,
	"backup": `usage: repertoire backup [-db FILE] BACKUP.db

Writes a consistent copy of the database to BACKUP.db (a new file) while the
bot runs, with SQLite's VACUUM INTO, and checks the copy (integrity_check).
For continuous replication to object storage, see Litestream in README.md.`,
	"restore": `usage: repertoire restore [-db FILE] BACKUP.db

Puts BACKUP.db in place of the database. The backup is checked first
(integrity_check, a schema this binary knows); the bot must be stopped. The
database it replaces is kept beside it as FILE.before-restore-TIME.`,
	"version": `usage: repertoire version

Prints the version and the commit it was built from.`,
	"discord-invite": `usage: repertoire discord-invite

Prints the URL that adds the Discord bot to a server (needs DISCORD_TOKEN).`,
	"migrate-store": migrateUsage,
}

// commandNames lists the subcommands in the order "repertoire help" shows them.
var commandNames = []string{"run", "search", "entries", "digest", "import", "export", "doctor", "backup", "restore", "migrate-store", "version", "discord-invite"}

// wantsHelp reports whether args ask for help (-h, -help, --help before a
// "--", or a lone "help"), so that help works even when the configuration
// in the environment is broken.
func wantsHelp(args []string) bool {
	if len(args) == 1 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// printUsage writes a command's usage and its flags to w.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	name, _, _ := strings.Cut(fs.Name(), " ")
	if u, ok := commandUsage[name]; ok {
		fmt.Fprintln(w, u)
	} else {
		fmt.Fprintf(w, "usage: repertoire %s\n", fs.Name())
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if !has {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// parseArgs parses a subcommand's flags and returns its positional
// arguments. Flags and arguments may come in any order; "--" ends the flags;
// -flag and --flag are the same. -h, --help, or "help" as the only argument
// print the usage to stdout and return errHelp. With dashArgs (search), an
// argument that starts with - but names no flag is an argument ("-word"
// excludes a word); otherwise it is an error naming the flags there are.
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer, dashArgs bool) ([]string, error) {
	if wantsHelp(args) {
		printUsage(stdout, fs)
		return nil, errHelp
	}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			if dashArgs {
				pos = append(pos, a)
				continue
			}
			return nil, fmt.Errorf("%w: %s: unknown flag %s; it takes %s (see repertoire help %s)", errUsage, fs.Name(), a, flagList(fs), fs.Name())
		}
		if !hasVal {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				val = "true"
			} else if i+1 < len(args) {
				i++
				val = args[i]
			} else {
				return nil, fmt.Errorf("%w: %s: flag -%s needs a value (%s)", errUsage, fs.Name(), name, f.Usage)
			}
		}
		if err := fs.Set(name, val); err != nil {
			return nil, fmt.Errorf("%w: %s: -%s %q: %v (%s)", errUsage, fs.Name(), name, val, err, f.Usage)
		}
	}
	return pos, nil
}

// noArgs parses flags of a command that takes no positional arguments.
func noArgs(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	pos, err := parseArgs(fs, args, stdout, false)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: %s takes no arguments, got %q (see repertoire help %s)", errUsage, fs.Name(), strings.Join(pos, " "), fs.Name())
	}
	return nil
}

// flagList names a flag set's flags: "-db, -n".
func flagList(fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "-"+f.Name) })
	if len(names) == 0 {
		return "no flags"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
