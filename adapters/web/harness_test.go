package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/adapters/shell"
	"github.com/repertoire/repertoire/adapters/web"
	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/repertoire"
)

// world is the whole program as a member meets it: the shell adapter typed
// into, the core on a real SQLite file, and the web page on a loopback
// server whose URL the bot's sign-in links point to.
type world struct {
	t       testing.TB
	handler http.Handler // the web page, for in-process timing
	store   *sqlite.Store
	in      *io.PipeWriter
	out     *transcript
	url     string
	done    chan error
}

// transcript is the shell's output, readable while it is written.
type transcript struct {
	mu      sync.Mutex
	buf     strings.Builder
	changed chan struct{}
}

func (tr *transcript) Write(p []byte) (int, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.buf.Write(p)
	close(tr.changed)
	tr.changed = make(chan struct{})
	return len(p), nil
}

func (tr *transcript) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.buf.String()
}

// waitFor waits until the output after offset from matches re, and returns
// the match and the new offset.
func (tr *transcript) waitFor(t testing.TB, from int, re *regexp.Regexp) ([]string, int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		tr.mu.Lock()
		s := tr.buf.String()
		ch := tr.changed
		tr.mu.Unlock()
		if loc := re.FindStringSubmatchIndex(s[from:]); loc != nil {
			m := re.FindStringSubmatch(s[from:])
			return m, from + loc[1]
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s in:\n%s", re, s[from:])
		}
	}
}

type worldOptions struct {
	public bool
}

func newWorld(t testing.TB, o worldOptions) *world {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "web.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	pr, pw := io.Pipe()
	out := &transcript{changed: make(chan struct{})}
	sh := shell.New(shell.Options{In: pr, Out: out})
	core := bot.New(store, nil, bot.Config{WebURL: base}, sh)
	page, err := web.New(core.Web(bot.WebOptions{Public: o.public}), web.Options{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = page.Handler()
	ts.Start()
	w := &world{t: t, handler: ts.Config.Handler, store: store, in: pw, out: out, url: base, done: make(chan error, 1)}
	go func() { w.done <- sh.Run(ctx, core) }()
	t.Cleanup(func() {
		pw.Close()
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			t.Error("the shell did not stop")
		}
		cancel()
		ts.Close()
		store.Close()
	})
	return w
}

var whereLine = regexp.MustCompile(`you are \S+ in #\S+ \((public|private)\)\n`)

// say types lines into the shell and waits until they are all handled.
func (w *world) say(lines ...string) string {
	w.t.Helper()
	from := len(w.out.String())
	if _, err := io.WriteString(w.in, strings.Join(append(lines, "/where"), "\n")+"\n"); err != nil {
		w.t.Fatal(err)
	}
	_, _ = w.out.waitFor(w.t, from, whereLine)
	return w.out.String()[from:]
}

var linkLine = regexp.MustCompile(`(http://\S+/signin\?token=[A-Za-z0-9_-]+)`)

// signInLink asks the bot for a link as member, with /web.
func (w *world) signInLink(member string) string {
	w.t.Helper()
	out := w.say("/as "+member, "/web")
	m := linkLine.FindStringSubmatch(out)
	if m == nil {
		w.t.Fatalf("no sign-in link for %s in:\n%s", member, out)
	}
	if !strings.Contains(out, "(only "+member+" sees this)") {
		w.t.Fatalf("the link was not private:\n%s", out)
	}
	return m[1]
}

// seed saves the entries the tests look for, through the shell as members
// would: a public tip whose text holds markup, a public solution, and a
// private one in #secret that carol and dave are in and ana is not.
func (w *world) seed() {
	w.say(
		"/as ana", "/channel general",
		"how do we rotate the TLS certificate? #tls",
		"/as bob", "/reply 1 run certbot renew then reload nginx: <script>alert('x')</script> & done",
		"/as ana", "/react 2 💡",
		"/as bob", "What is the deploy freeze rule? #deploy",
		"/as ana", "/reply 3 No deploys after 3pm on Fridays, ask in #ops first",
		"/as bob", "/react 4 ✅",
		"/as carol", "/private secret",
		"/as dave", "/private secret",
		"where is the zanzibar vault key kept?",
		"/as carol", "/reply 5 the zanzibar key lives in the vault under ops/zanzibar",
		"/as dave", "/react 6 ✅",
		"/as ana", "/channel general", "@repertoire how do I frobnicate the quux?",
		"/as dave", "/private secret", "@repertoire where is the glorpwinkle manual?",
	)
}

// entryID finds the entry whose answer holds text.
func (w *world) entryID(text string) int64 {
	w.t.Helper()
	es, err := w.store.Entries(context.Background(), repertoire.ListParams{Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range es {
		if strings.Contains(e.Answer, text) {
			return e.ID
		}
	}
	w.t.Fatalf("no entry holds %q (%d entries)", text, len(es))
	return 0
}

// browser is an HTTP client with its own cookies: one visitor.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (w *world) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: w.t, base: w.url, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

type page struct {
	Status int
	Body   string
	Header http.Header
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header}
}

// signIn follows a sign-in link as a person would: open it, press the button.
func (b *browser) signIn(link string) page {
	b.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		b.t.Fatal(err)
	}
	if p := b.get(u.RequestURI()); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="signin"`) {
		b.t.Fatalf("sign-in page: %d\n%s", p.Status, p.Body)
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/signin", strings.NewReader(url.Values{"token": {u.Query().Get("token")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header}
}

func (b *browser) signOut() page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+"/signout", nil)
	req.Header.Set("Origin", b.base)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header}
}

func entryPath(id int64) string { return fmt.Sprintf("/entries/%d", id) }

// sessionCookie signs member in through the shell's /web link and returns
// the session cookie the page set.
func (w *world) sessionCookie(member string) *http.Cookie {
	w.t.Helper()
	b := w.browser()
	if p := b.signIn(w.signInLink(member)); p.Status != http.StatusOK {
		w.t.Fatalf("sign in %s: %d", member, p.Status)
	}
	u, _ := url.Parse(w.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "repertoire_session" {
			return c
		}
	}
	w.t.Fatal("no session cookie")
	return nil
}
