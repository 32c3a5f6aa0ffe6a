package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. The browser tests skip without it,
// unless REPERTOIRE_REQUIRE_BROWSER is set (CI sets it, and installs it).
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"/usr/lib/chromium/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REPERTOIRE_REQUIRE_BROWSER") != "" {
		t.Fatal("REPERTOIRE_REQUIRE_BROWSER is set but chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: the browser tests need it (apt-get install chromium; .ci/run installs it)")
	return ""
}

// startChromium starts a headless chromium with a fresh profile, flags as
// the environment notes ask (no network of its own, no updates, no sync).
// It may run on another goroutine than the test's: it returns its error.
func startChromium(t *testing.T, path string) (context.Context, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser on a context without a deadline (a deadline on the
	// first run would end the browser with it).
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return ctx, nil
}

// tab runs browser steps with a deadline.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b tab) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// open loads a page and returns its HTTP status.
func (b tab) open(u string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		b.t.Fatalf("open %s: %v", u, err)
	}
	return resp.Status
}

// follow runs steps that go to another page (a click on a link, a form
// sent) and waits until that page has loaded; it returns its HTTP status.
func (b tab) follow(steps ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return resp.Status
}

// text is what a person reads on the page.
func (b tab) text() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		b.t.Fatalf("read page: %v", err)
	}
	return s
}

// links are the page's link targets, resolved.
func (b tab) links() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href]')].map(a => a.href)`))
	if err != nil {
		b.t.Fatalf("read links: %v", err)
	}
	return hrefs
}

func (b tab) count(selector string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(selector)+`).length`))
	if err != nil {
		b.t.Fatalf("count %s: %v", selector, err)
	}
	return n
}

func jsString(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

func (b tab) screenshot(dir, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// signIn opens a sign-in link and presses its button, as a member would.
func (b tab) signIn(link string) {
	b.t.Helper()
	b.open(link)
	b.follow(chromedp.Click(chromedp.CSS("#signin")))
	b.run(chromedp.WaitVisible(chromedp.CSS("form.signout")))
}

// screenshotDir is REPERTOIRE_SCREENSHOTS, or a temporary folder.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("REPERTOIRE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestInARealBrowser drives Debian's chromium through the web page: a
// member signs in with the link the shell's /web printed, browses every
// page, searches with the syntax, sees saved markup as text; a signed-out
// visitor and a member outside #secret never see its entries, in the text
// or in a link.
func TestInARealBrowser(t *testing.T) {
	// Chromium starts (seconds on a loaded machine) while the members talk.
	path := chromiumPath(t)
	type browser struct {
		ctx context.Context
		err error
	}
	started := make(chan browser, 1)
	go func() {
		ctx, err := startChromium(t, path)
		started <- browser{ctx, err}
	}()
	w := newWorld(t, worldOptions{})
	w.seed()
	w.say("/as carol", "/private secret", "@repertoire digest now", "/as ana", "/channel general", "@repertoire digest now")
	var br browser
	select {
	case br = <-started:
	case <-time.After(60 * time.Second):
		t.Fatal("chromium did not start in 60 s")
	}
	if br.err != nil {
		t.Fatal(br.err)
	}
	b := tab{t: t, ctx: br.ctx}
	secretPath := entryPath(w.entryID("zanzibar"))
	secretWords := []string{"ops/zanzibar", "vault key kept", "glorpwinkle manual"}
	noSecret := func(where string) {
		t.Helper()
		text := b.text()
		for _, word := range secretWords {
			if strings.Contains(text, word) {
				t.Errorf("%s shows %q", where, word)
			}
		}
		for _, l := range b.links() {
			if strings.HasSuffix(l, secretPath) {
				t.Errorf("%s links to %s", where, secretPath)
			}
		}
	}
	// The pages that could show #secret (the HTTP tests go through all).
	pages := []string{"/", "/search?q=" + url.QueryEscape("zanzibar"), "/channels/secret", "/members/U-carol", secretPath}

	// Signed out: the sign-in page everywhere.
	for _, p := range pages {
		if status := b.open(w.url + p); status != 401 {
			t.Errorf("signed out, %s: status %d", p, status)
		}
		if !strings.Contains(b.text(), "Sign in through the chat") {
			t.Errorf("signed out, %s: not the sign-in page", p)
		}
		noSecret("signed out, " + p)
	}

	// ana, who is not in #secret, signs in through the shell's /web link.
	b.signIn(w.signInLink("ana"))
	shots := screenshotDir(t)
	home := b.text()
	for _, want := range []string{"Recent", "Most useful", "How it grows", "Top tags", "Contributors this month", "Open questions", "rotate the TLS"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if b.count("figure.chart svg rect") == 0 || b.count("figure.chart table") != 2 {
		t.Error("home lacks the growth and recall charts with their tables")
	}
	b.screenshot(shots, "home.png")
	noSecret("ana's home")

	// Every page, reached by following the page's own links.
	b.follow(chromedp.Click(chromedp.CSS(`a[href="/tags/tls"]`)))
	if !strings.Contains(b.text(), "#tls") {
		t.Error("the tag page")
	}
	b.follow(chromedp.Click(chromedp.CSS(`ol.entries a.title`)))
	entry := b.text()
	for _, want := range []string{"rotate the TLS certificate", "Answered by", "bob", "Saved by", "ana", "Votes", "👍", "Conversation", "Link to paste in chat", "Related"} {
		if !strings.Contains(entry, want) {
			t.Errorf("the entry page lacks %q", want)
		}
	}
	// Saved markup is text: shown as typed, never run.
	if !strings.Contains(entry, "<script>alert('x')</script>") || b.count("main script") != 0 {
		t.Error("the saved <script> is not shown as text")
	}
	b.screenshot(shots, "entry.png")
	b.follow(chromedp.Click(chromedp.CSS(`.facts a[href^="/members/"]`)))
	if !strings.Contains(b.text(), "shared and saved") {
		t.Error("the member page")
	}
	b.follow(chromedp.Click(chromedp.CSS(`ol.entries .meta a[href^="/channels/"]`)))
	if !strings.Contains(b.text(), "What this channel learned") {
		t.Error("the channel page")
	}
	b.follow(chromedp.Click(chromedp.CSS(`nav a[href="/questions"]`)))
	if !strings.Contains(b.text(), "frobnicate") {
		t.Error("the open questions page")
	}
	noSecret("ana's open questions")
	b.follow(chromedp.Click(chromedp.CSS(`nav a[href="/digests"]`)))
	if !strings.Contains(b.text(), "#general") {
		t.Error("the digest archive")
	}
	noSecret("ana's digests")

	// Search with the chat's syntax, typed into the form.
	b.run(chromedp.SetValue(chromedp.CSS("#q"), `"deploys after 3pm" kind:solution -certbot`))
	b.follow(chromedp.Submit(chromedp.CSS("form.search")))
	found := b.text()
	if !strings.Contains(found, "deploy freeze") || strings.Contains(found, "rotate the TLS") {
		t.Errorf("search with syntax:\n%s", found)
	}
	if b.count("ol.hits mark") == 0 {
		t.Error("no highlighted words in the results")
	}
	b.open(w.url + "/search?q=" + url.QueryEscape("certbot"))
	if b.count(".filters a") == 0 {
		t.Error("no filter links")
	}
	b.follow(chromedp.Click(chromedp.CSS(`.filters a`)))
	if !strings.Contains(b.text(), "rotate the TLS") {
		t.Error("following a filter link lost the result")
	}

	// Nothing of #secret for ana, by any page or URL.
	for _, p := range pages {
		b.open(w.url + p)
		noSecret("ana, " + p)
	}
	if status := b.open(w.url + secretPath); status != 404 {
		t.Errorf("ana opening %s: %d", secretPath, status)
	}

	// Sign out from the page.
	b.open(w.url + "/")
	if status := b.follow(chromedp.Click(chromedp.CSS("form.signout button"))); status != 401 {
		t.Errorf("after sign-out: status %d", status)
	}
	if !strings.Contains(b.text(), "Sign in through the chat") {
		t.Error("after sign-out: not the sign-in page")
	}

	// carol, in #secret, sees it (sign-out cleared ana's cookie).
	b.signIn(w.signInLink("carol"))
	b.open(w.url + secretPath)
	if !strings.Contains(b.text(), "ops/zanzibar") {
		t.Error("carol cannot see #secret's entry")
	}

	// On a phone with the system in dark mode: dark colours, nothing wider
	// than the screen.
	b.run(chromedp.EmulateViewport(390, 844), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}))
	b.open(w.url + "/search?q=" + url.QueryEscape("zanzibar vault"))
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil || bg != "rgb(21, 23, 26)" {
		t.Errorf("dark mode: body background %q %v", bg, err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || wide {
		t.Errorf("the page is wider than a phone: %v %v", wide, err)
	}
	b.screenshot(shots, "search-phone-dark.png")
}
