package shell_test

// Scenarios of issue 12, typed into the shell as a new member would: each
// case the bot once kept or said wrongly, driven through the shell adapter
// and the core with a real store on a temp file.

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// world is one repertoire and one bot that scripts are played against,
// with a clock. Each script is a new shell session (a member coming back).
type world struct {
	t     *testing.T
	store *sqlite.Store
	path  string // the store's file
	now   time.Time
	bot   *bot.Bot
	sh    *shell.Shell // the session being played
}

// The bot reaches the session being played through the world.
func (w *world) Name() string { return shell.Name }
func (w *world) Run(ctx context.Context, h bot.Handler) error {
	<-ctx.Done()
	return nil
}
func (w *world) Post(ctx context.Context, out bot.Outgoing) (bot.MessageRef, error) {
	return w.sh.Post(ctx, out)
}
func (w *world) Thread(ctx context.Context, ref bot.MessageRef) ([]bot.Message, error) {
	return w.sh.Thread(ctx, ref)
}
func (w *world) React(ctx context.Context, ref bot.MessageRef, e bot.Emoji) error {
	return w.sh.React(ctx, ref, e)
}
func (w *world) Direct(ch bot.ChannelRef) bool { return w.sh.Direct(ch) }

func newWorld(t *testing.T) *world {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.db")
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w := &world{t: t, store: s, path: path, now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	w.bot = bot.New(s, nil, bot.Config{Now: func() time.Time { return w.now }}, w)
	return w
}

// play types the lines into a fresh shell session and returns what it printed.
func (w *world) play(lines ...string) string {
	w.t.Helper()
	return w.playFrom(strings.NewReader(strings.Join(lines, "\n") + "\n"))
}

// playFrom is play with the lines read from in.
func (w *world) playFrom(in io.Reader) string {
	w.t.Helper()
	w.now = w.now.Add(time.Second) // each session gets its own message IDs, as a platform's are unique
	var out bytes.Buffer
	clock := func() time.Time { return w.now }
	w.sh = shell.New(shell.Options{In: in, Out: &out, Now: clock})
	if err := w.sh.Run(context.Background(), w.bot); err != nil {
		w.t.Fatal(err)
	}
	return out.String()
}

func (w *world) entries() []repertoire.Entry {
	w.t.Helper()
	es, err := w.store.Entries(context.Background(), repertoire.ListParams{})
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

func (w *world) open(channel string) []repertoire.OpenQuestion {
	w.t.Helper()
	qs, err := w.store.OpenQuestions(context.Background(), repertoire.Channel{Platform: shell.Name, Space: "local", ID: channel}, time.Time{})
	if err != nil {
		w.t.Fatal(err)
	}
	return qs
}

// answerTo returns what the bot said after the line that contains marker.
func answerTo(out, marker string) string {
	i := strings.Index(out, marker)
	if i < 0 {
		return ""
	}
	rest := out[i+len(marker):]
	// up to the next member line ("[N] #chan name: ..." not by the bot)
	next := regexp.MustCompile(`\n\[\d+\] #\S+( ↳\d+)? (\w+):`)
	for _, m := range next.FindAllStringSubmatchIndex(rest, -1) {
		if rest[m[4]:m[5]] != "repertoire" {
			return rest[:m[0]]
		}
	}
	return rest
}

func TestScenarioTopLevelTipKeepsItsOwnTitle(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I undo the last git commit but keep the changes?",
		"/as dave", "/reply 1 git reset --soft HEAD~1 keeps them staged",
		"/as carol", "/react 2",
		"/as bob", "heads up: to restart the VPN gateway run sudo systemctl restart openvpn@server #vpn",
		"/as carol", "/react 3",
		"@repertoire how do I restart the vpn gateway?",
		`@repertoire search "undo commit"`,
		"@repertoire digest now",
	)
	for _, e := range w.entries() {
		if strings.Contains(e.Answer, "VPN") && (e.Question != "" || e.QuestionID != "" || !strings.HasPrefix(e.Title(), "heads up")) {
			t.Errorf("the VPN tip took a question: %+v", e)
		}
	}
	if a := answerTo(out, "restart the vpn gateway?"); strings.Contains(a, "undo the last git commit") || !strings.Contains(a, "1. heads up: to restart") {
		t.Errorf("recall of the VPN question:\n%s", a)
	}
	if a := answerTo(out, `"undo commit"`); strings.Contains(a, "VPN") || !strings.Contains(a, "git reset") {
		t.Errorf("search for undo commit:\n%s", a)
	}
	if d := answerTo(out, "digest now"); strings.Count(d, "undo the last git commit") != 1 {
		t.Errorf("digest lists the git title %d times:\n%s", strings.Count(d, "undo the last git commit"), d)
	}
}

func TestScenarioSaveInUnansweredThreadKeepsItOpen(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do I get grafana to keep dashboards after a pod restart?",
		"/as carol", "/reply 1 @repertoire save",
	)
	if !strings.Contains(answerTo(out, "@repertoire save"), "open question") || len(w.entries()) != 0 || len(w.open("general")) != 1 {
		t.Fatalf("save of an unanswered thread: entries %d, open %d\n%s", len(w.entries()), len(w.open("general")), out)
	}
	out = w.play(
		"/as alice", "How do I get grafana to keep dashboards after a pod restart?",
		"/as carol", "/reply 1 @repertoire save",
		"/as dave", "/reply 1 Mount a persistent volume at /var/lib/grafana so the dashboards survive restarts",
		"/as carol", "/reply 1 @repertoire save",
	)
	es := w.entries()
	var completed int
	for _, e := range es {
		if strings.Contains(e.Answer, "persistent volume") && strings.Contains(e.Question, "grafana") {
			completed++
		}
		if e.Question == "" && strings.Contains(e.Answer, "grafana to keep dashboards") {
			t.Errorf("the bare question was saved as a tip: %+v", e)
		}
	}
	if completed != 1 {
		t.Errorf("want the answer to complete the question as one entry, got %+v\n%s", es, out)
	}
	for _, q := range w.open("general") {
		if strings.Contains(q.Text, "grafana") && q.MessageID != "" && strings.HasSuffix(q.MessageID, "-1") && len(es) > 0 && es[0].QuestionID == q.MessageID {
			t.Errorf("the open question stayed open after its answer was saved: %+v", q)
		}
	}
}

func TestScenarioTagsAreWhatTheConfirmationSays(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "My pod keeps crashing with CrashLoopBackOff, how do I debug it? #kubernetes #debugging",
		"/as bob", "/reply 1 The quickest way: kubectl logs --previous on the pods shows the last crash #ops",
		"/as carol", "/reply 1 @repertoire save",
	)
	confirm := answerTo(out, "@repertoire save")
	m := regexp.MustCompile(`Tags: ((?:#\S+ ?)+)\.`).FindStringSubmatch(confirm)
	if m == nil {
		t.Fatalf("no tags in the confirmation:\n%s", confirm)
	}
	said := strings.Fields(strings.ReplaceAll(m[1], "#", ""))
	if strings.Join(said, " ") != "kubernetes debugging ops" {
		t.Errorf("confirmation says tags %v", said)
	}
	lines := []string{"/as dave"}
	for _, tag := range said {
		lines = append(lines, "@repertoire tag:"+tag)
	}
	lines = append(lines, "@repertoire tag:general")
	out = w.play(lines...)
	for _, tag := range said {
		if !strings.Contains(answerTo(out, "tag:"+tag), "CrashLoopBackOff") {
			t.Errorf("tag:%s finds nothing though the confirmation said so:\n%s", tag, out)
		}
	}
	if strings.Contains(answerTo(out, "tag:general"), "CrashLoopBackOff") {
		t.Errorf("the channel name became a tag:\n%s", out)
	}
	// An edit that adds a hashtag adds the tag.
	w.play("/as bob", "Fix: git rebase -i lets you squash before pushing", "/as carol", "/react 1", "/as bob", "/edit 1 Fix: git rebase -i lets you squash before pushing #rebase")
	found := false
	for _, e := range w.entries() {
		if strings.Contains(e.Answer, "squash") {
			found = true
			if strings.Join(e.Tags, ",") != "rebase" {
				t.Errorf("tags after the edit: %v", e.Tags)
			}
		}
	}
	if !found {
		t.Error("the rebase tip was not saved")
	}
}

func TestScenarioTitleNeverCarriesTheBotCommand(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as erin", "@repertoire ask how do I flush the redis cache?",
		"/as dave", "/reply 1 redis-cli FLUSHALL empties every database of the redis cache; FLUSHDB only the current one",
		"/as carol", "/react 3",
		"@repertoire digest now",
	)
	es := w.entries()
	if len(es) != 1 || es[0].Title() != "how do I flush the redis cache?" {
		t.Fatalf("entries %+v\n%s", es, out)
	}
	// The question erin asked the bot was answered in its thread: it is no
	// longer open.
	if qs := w.open("general"); len(qs) != 0 {
		t.Errorf("open questions after the answer was saved: %+v", qs)
	}
	if d := answerTo(out, "digest now"); strings.Contains(d, "Open questions") || strings.Contains(d, "@repertoire") {
		t.Errorf("digest:\n%s", d)
	}
}

func TestScenarioSecondSaveSaysWhatHappened(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as alice", "How do we name release branches?",
		"/as bob", "/reply 1 We cut release/YYYY-MM-DD from main and tag it after the smoke test passes",
		"/as carol", "/reply 1 @repertoire save",
		"/reply 1 @repertoire save",
		"/reply 1 @repertoire save how-we-do",
		"/as dave", "/reply 1 @repertoire save tip",
	)
	second := answerTo(out, "[5] #general ↳1 carol: @repertoire save")
	if !strings.Contains(second, "(1 vote)") || strings.Contains(second, "1 votes") {
		t.Errorf("second save:\n%s", second)
	}
	if third := answerTo(out, "carol: @repertoire save how-we-do"); !strings.Contains(third, "it is a how-we-do now") {
		t.Errorf("save with another kind:\n%s", third)
	}
	if fourth := answerTo(out, "dave: @repertoire save tip"); !strings.Contains(fourth, "stays a how-we-do") || !strings.Contains(fourth, "2 votes") {
		t.Errorf("another member's save with another kind:\n%s", fourth)
	}
	if es := w.entries(); len(es) != 1 || es[0].Kind != repertoire.HowWeDo {
		t.Errorf("entries %+v", es)
	}
}

func TestScenarioOnlyRealQuestionsBecomeOpen(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave",
		"@repertoire vault zebrafish",
		"@repertoire in:#secret-ops password",
		"@repertoire rotate -certbot",
		"@repertoire kind:how-we-do",
		"@repertoire NEAR(",
		"@repertoire *",
		`@repertoire "`,
		`@repertoire ""`,
		"@repertoire how do we rotate the staging database password?",
		"/dm",
		"remember to renew my parking permit",
		"/channel general",
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	for _, junk := range []string{"zebrafish", "secret-ops", "certbot", "kind:", "NEAR", "“*”", "“\"”", "parking"} {
		if strings.Contains(d, junk) {
			t.Errorf("digest lists %q as an open question:\n%s", junk, d)
		}
	}
	if !strings.Contains(d, "rotate the staging database password") {
		t.Errorf("the real question is not open:\n%s", d)
	}
	if a := answerTo(out, "parking permit"); strings.Contains(a, "noted it as an open question") {
		t.Errorf("a DM note was taken for an open question:\n%s", a)
	}
}

func TestScenarioPrivateAsksStayPrivate(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as dave", "/ask how do I expense a conference ticket?",
		"/dm", "how do I change my payroll bank account?",
		"/private hr", "@repertoire how do we approve parental leave requests?",
		"@repertoire digest now",
		"/channel general", "@repertoire digest now",
	)
	general := out[strings.LastIndex(out, "digest now"):]
	for _, private := range []string{"expense", "payroll", "parental", "dave"} {
		if strings.Contains(general, private) {
			t.Errorf("#general's digest shows %q:\n%s", private, general)
		}
	}
	hr := answerTo(out, "#hr dave: @repertoire digest now")
	if !strings.Contains(hr, "parental leave") || strings.Contains(hr, "expense") || strings.Contains(hr, "payroll") {
		t.Errorf("#hr's digest:\n%s", hr)
	}
	for _, q := range w.open("general") {
		t.Errorf("open question kept in #general: %+v", q)
	}
}

func TestScenarioOpenQuestionsCloseAndAgeOut(t *testing.T) {
	w := newWorld(t)
	w.now = w.now.Add(-40 * 24 * time.Hour)
	w.play("/as gina", "@repertoire how do we archive an abandoned jira project?")
	w.now = w.now.Add(40 * 24 * time.Hour)
	out := w.play(
		"/as erin", "@repertoire how do I rotate the grafana api key?",
		"/as bob", "To rotate the grafana api key: Configuration → API keys → add a new key, then delete the old one",
		"/as carol", "/react 3",
		"/as hal", "@repertoire how should we size the kafka retention window?",
		"@repertoire digest now",
	)
	d := answerTo(out, "digest now")
	if strings.Contains(d[strings.Index(d, "Open questions")+1:], "grafana") {
		t.Errorf("a question a later entry answers stayed open:\n%s", d)
	}
	if strings.Contains(d, "jira") {
		t.Errorf("a 40-day-old question is still listed:\n%s", d)
	}
	if !strings.Contains(d, "kafka retention") || !strings.Contains(d, "since") {
		t.Errorf("open questions should be listed with the period they cover:\n%s", d)
	}
	if s := w.play("@repertoire digest status"); !strings.Contains(s, "Open questions stay on digests for 28 days") {
		t.Errorf("the channel cannot see how long open questions stay:\n%s", s)
	}
}

// recallWorld holds the entries of the recall cases.
func recallWorld(t *testing.T) *world {
	w := newWorld(t)
	w.play(
		"/as ann", "How do I renew the TLS certificate on the proxy?",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx",
		"/as cat", "/react 2",
		"/as ann", "How do I see why my deployment is stuck?",
		"/as bob", "/reply 3 Running kubectl rollout status shows which pods are not ready",
		"/as cat", "/react 4",
		"/as bob", "Tip: git worktree keeps a second checkout, no stash needed",
		"/as cat", "/react 5",
		"/as bob", "<!channel> the VPN gateway restarts at midnight for the channel maintenance",
		"/as cat", "/react 6",
		"/as ann", "Why do my pods keep crashing after the upgrade?",
		"/as bob", "/reply 7 The pods crash because the new image needs a higher limit: raise it to 512Mi",
		"/as cat", "/react 8",
		"/as bob", "To reload nginx without downtime, run nginx -s reload after nginx -t",
		"/as cat", "/react 9",
	)
	if n := len(w.entries()); n != 6 {
		t.Fatalf("%d entries saved, want 6", n)
	}
	return w
}

func TestScenarioRecallShowsOnlyWhatAnswers(t *testing.T) {
	w := recallWorld(t)
	out := w.play(
		"/as dave",
		"@repertoire webpack runs out of memory",
		"@repertoire which pods keep crashing",
		"@repertoire who owns the billing cron?",
		"@repertoire generic",
	)
	if a := answerTo(out, "webpack runs out of memory"); strings.Contains(a, "Here is what") {
		t.Errorf("webpack was answered with filler:\n%s", a)
	}
	a := answerTo(out, "which pods keep crashing")
	if !strings.Contains(a, "1. Why do my pods keep crashing") || strings.Contains(a, "worktree") {
		t.Errorf("pods:\n%s", a)
	}
	if a := answerTo(out, "billing cron?"); strings.Contains(a, "VPN") || strings.Contains(a, "Here is what") {
		t.Errorf("billing cron:\n%s", a)
	}
	if a := answerTo(out, "generic"); strings.Contains(a, "Here is what") {
		t.Errorf("generic:\n%s", a)
	}
}

func TestScenarioCommandWordStartsAQuestion(t *testing.T) {
	w := recallWorld(t)
	out := w.play(
		"/as dave",
		"@repertoire why do the pods crash after an upgrade?",
		"@repertoire help me reload nginx",
		"@repertoire why",
		"@repertoire help",
	)
	if a := answerTo(out, "crash after an upgrade?"); !strings.Contains(a, "raise it to 512Mi") || strings.Contains(a, "picked out") {
		t.Errorf("a question starting with why:\n%s", a)
	}
	if a := answerTo(out, "help me reload nginx"); !strings.Contains(a, "nginx -s reload") {
		t.Errorf("a question starting with help:\n%s", a)
	}
	if a := answerTo(out, "@repertoire why\n"); !strings.Contains(a, "picked out") {
		t.Errorf("why alone:\n%s", a)
	}
	if a := answerTo(out, "@repertoire help\n"); !strings.Contains(a, "I keep this community's repertoire") {
		t.Errorf("help alone:\n%s", a)
	}
}

func TestScenarioQuotedPhrase(t *testing.T) {
	w := recallWorld(t)
	out := w.play("/as dave", `@repertoire "nginx reload"`, `@repertoire "reload nginx"`)
	a := answerTo(out, `"nginx reload"`)
	if !strings.Contains(a, "No entry has the exact phrase “nginx reload”") {
		t.Errorf("a phrase no entry holds:\n%s", a)
	}
	b := answerTo(out, `"reload nginx"`)
	if strings.Contains(b, "No entry has") || !strings.Contains(b, "Here is what") {
		t.Errorf("a phrase entries hold:\n%s", b)
	}
}

func TestScenarioForgetMeAsksFirst(t *testing.T) {
	w := newWorld(t)
	out := w.play(
		"/as bob", "Tip: use git worktree instead of stash for parallel branches",
		"/as carol", "/react 1",
		"@repertoire forget me",
	)
	if es := w.entries(); len(es) != 1 || len(es[0].Savers) != 1 {
		t.Fatalf("forget me acted without confirmation: %+v\n%s", es, out)
	}
	if a := answerTo(out, "forget me"); !strings.Contains(a, "again within 5 minutes") {
		t.Errorf("no confirmation asked:\n%s", a)
	}
	w.now = w.now.Add(10 * time.Minute)
	out = w.play("/as carol", "@repertoire forget me")
	if len(w.entries()[0].Savers) != 1 {
		t.Fatalf("a confirmation after ten minutes was taken:\n%s", out)
	}
	out = w.play("/as carol", "@repertoire forget me", "@repertoire digest now")
	es := w.entries()
	if len(es) != 1 || len(es[0].Savers) != 0 || es[0].Author.Name != "bob" {
		t.Fatalf("after confirming: %+v\n%s", es, out)
	}
	if d := answerTo(out, "digest now"); strings.Contains(d, "saved by") || strings.Contains(d, "0 votes") {
		t.Errorf("empty credit:\n%s", d)
	}
}
