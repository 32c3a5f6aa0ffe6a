package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// everyPage lists a page of each kind, for a viewer who may see entries.
func everyPage(w *world) []string {
	return []string{"/", "/search?q=" + url.QueryEscape(`certificate tag:tls`), entryPath(w.entryID("certbot")),
		"/tags/tls", "/channels/general", "/members/U-bob", "/questions", "/digests", "/search"}
}

// TestMembersSeeWhatRecallShowsThem is the web page's visibility rule, seen
// by four visitors: a signed-out one, ana (not in #secret), carol (in it),
// and carol after "forget me".
func TestMembersSeeWhatRecallShowsThem(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed()
	w.say("/as carol", "/private secret", "@repertoire digest now", "/as ana", "/channel general", "@repertoire digest now")
	secretID := w.entryID("zanzibar")
	secretPath := entryPath(secretID)
	// What #secret holds, beyond any word a visitor types.
	secretWords := []string{"ops/zanzibar", "vault key kept", "glorpwinkle manual", secretPath}

	t.Run("signed out sees nothing", func(t *testing.T) {
		b := w.browser()
		for _, path := range append(everyPage(w), secretPath) {
			p := b.get(path)
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Sign in through the chat") {
				t.Errorf("%s: %d, want the sign-in page", path, p.Status)
			}
			for _, word := range []string{"certbot", "deploy", "frobnicate", "zanzibar"} {
				if strings.Contains(p.Body, word) {
					t.Errorf("%s shows %q to a visitor who is not signed in", path, word)
				}
			}
		}
	})

	ana := w.browser()
	if p := ana.signIn(w.signInLink("ana")); p.Status != http.StatusOK || !strings.Contains(p.Body, "rotate the TLS") {
		t.Fatalf("ana signed in: %d\n%s", p.Status, p.Body)
	}
	t.Run("a member outside a private channel never sees it", func(t *testing.T) {
		for _, path := range append(everyPage(w), "/search?q=zanzibar", "/search?q=glorpwinkle", "/channels/secret",
			"/members/U-carol", "/search?q="+url.QueryEscape("in:#secret")) {
			p := ana.get(path)
			if p.Status != http.StatusOK {
				t.Errorf("%s: %d", path, p.Status)
			}
			for _, word := range secretWords {
				if strings.Contains(p.Body, word) {
					t.Errorf("%s shows %q to ana, who is not in #secret", path, word)
				}
			}
		}
		if p := ana.get(secretPath); p.Status != http.StatusNotFound || strings.Contains(p.Body, "zanzibar") {
			t.Errorf("%s: %d, want 404 without the text", secretPath, p.Status)
		}
		if p := ana.get("/entries/999999"); p.Status != http.StatusNotFound {
			t.Errorf("a missing entry: %d", p.Status)
		}
	})

	t.Run("saved text is shown as text", func(t *testing.T) {
		for _, path := range []string{entryPath(w.entryID("certbot")), "/", "/search?q=certbot", "/tags/tls"} {
			p := ana.get(path)
			if strings.Contains(p.Body, "<script>") {
				t.Errorf("%s has a live <script>", path)
			}
			if path != "/" && !strings.Contains(p.Body, "&lt;script&gt;") {
				t.Errorf("%s does not show the saved <script> as text", path)
			}
			csp := p.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", path, csp)
			}
		}
	})

	t.Run("search highlights and narrows", func(t *testing.T) {
		p := ana.get("/search?q=" + url.QueryEscape("certbot nginx"))
		if !strings.Contains(p.Body, "<mark>") {
			t.Errorf("no highlighted words:\n%s", p.Body)
		}
		if !strings.Contains(p.Body, "kind:tip") || !strings.Contains(p.Body, "tag:tls") {
			t.Errorf("no filter links:\n%s", p.Body)
		}
		p = ana.get("/search?q=" + url.QueryEscape("deploy -fridays"))
		if strings.Contains(p.Body, "3pm") {
			t.Errorf("-fridays did not exclude the entry")
		}
		p = ana.get("/search?q=" + url.QueryEscape(`"deploys after 3pm" kind:solution`))
		if !strings.Contains(p.Body, "3pm") {
			t.Errorf("phrase and kind: not found")
		}
	})

	t.Run("pages hold what they name", func(t *testing.T) {
		for path, want := range map[string]string{
			"/":                         "Contributors this month",
			"/tags/deploy":              "3pm",
			"/channels/general":         "certbot",
			"/members/U-bob":            "certbot",
			"/questions":                "frobnicate",
			"/digests":                  "general",
			entryPath(w.entryID("3pm")): "Saved by",
		} {
			if p := ana.get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
				t.Errorf("%s: %d, lacks %q", path, p.Status, want)
			}
		}
		if p := ana.get("/"); !strings.Contains(p.Body, "<svg") || !strings.Contains(p.Body, "<table>") {
			t.Error("home lacks its charts and their tables")
		}
	})

	carol := w.browser()
	carolLink := w.signInLink("carol")
	carol.signIn(carolLink)
	t.Run("a member of the private channel sees it", func(t *testing.T) {
		for path, want := range map[string]string{
			secretPath:           "zanzibar",
			"/search?q=zanzibar": secretPath,
			"/channels/secret":   "zanzibar",
			"/questions":         "glorpwinkle",
			"/digests":           "secret",
		} {
			if p := carol.get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, want) {
				t.Errorf("%s: %d, lacks %q", path, p.Status, want)
			}
		}
	})

	t.Run("a link works once", func(t *testing.T) {
		again := w.browser()
		if p := again.signIn(carolLink); p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "expired") {
			t.Errorf("a used link: %d", p.Status)
		}
		if p := again.get("/"); p.Status != http.StatusUnauthorized {
			t.Errorf("signed in by a used link: %d", p.Status)
		}
	})

	t.Run("the cookie", func(t *testing.T) {
		link := w.signInLink("dave")
		b := w.browser()
		u, _ := url.Parse(link)
		req, _ := http.NewRequest(http.MethodPost, w.url+"/signin", strings.NewReader(url.Values{"token": {u.Query().Get("token")}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://evil.example")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in posted from another site: %d", resp.StatusCode)
		}
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		req.Header.Set("Origin", w.url)
		req.Body = http.NoBody
		req, _ = http.NewRequest(http.MethodPost, w.url+"/signin", strings.NewReader(url.Values{"token": {u.Query().Get("token")}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(c, want) {
				t.Errorf("cookie %q lacks %s", c, want)
			}
		}
	})

	t.Run("signing out ends the session", func(t *testing.T) {
		link := w.signInLink("bob")
		b := w.browser()
		b.signIn(link)
		if p := b.get("/"); p.Status != http.StatusOK {
			t.Fatalf("bob: %d", p.Status)
		}
		b.signOut()
		if p := b.get("/"); p.Status != http.StatusUnauthorized {
			t.Errorf("after sign-out: %d", p.Status)
		}
	})

	t.Run("forget me ends the member's sessions", func(t *testing.T) {
		w.say("/as carol", "/private secret", "@repertoire forget me", "@repertoire forget me") // asked, then confirmed
		if p := carol.get("/"); p.Status != http.StatusUnauthorized {
			t.Errorf("carol after forget me: %d", p.Status)
		}
		// The #secret digest named carol: it left the archive; #general's stays.
		all := repertoire.Audience{Platform: "shell", Spaces: []string{"local"}, Channels: []repertoire.Channel{{Space: "local", ID: "secret"}}}
		ds, _, err := w.store.ArchivedDigests(context.Background(), all, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, d := range ds {
			left = append(left, d.Channel.ID)
		}
		if strings.Join(left, " ") != "general" {
			t.Errorf("archived digests after carol was forgotten: %v", left)
		}
	})
}

// TestPublicPageShowsPublicEntriesOnly: REPERTOIRE_WEB_PUBLIC lets anyone
// read the public entries, and nothing private.
func TestPublicPageShowsPublicEntriesOnly(t *testing.T) {
	w := newWorld(t, worldOptions{public: true})
	w.seed()
	w.say("/as carol", "/private secret", "@repertoire digest now")
	b := w.browser()
	for _, path := range append(everyPage(w), "/search?q=zanzibar", "/channels/secret", "/members/U-carol") {
		p := b.get(path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
		}
		for _, word := range []string{"ops/zanzibar", "vault key kept", "glorpwinkle manual", entryPath(w.entryID("zanzibar"))} {
			if strings.Contains(p.Body, word) {
				t.Errorf("%s shows %q publicly", path, word)
			}
		}
	}
	if p := b.get("/"); !strings.Contains(p.Body, "rotate the TLS") {
		t.Error("the public page does not show public entries")
	}
	if p := b.get(entryPath(w.entryID("zanzibar"))); p.Status != http.StatusNotFound {
		t.Errorf("a private entry on the public page: %d", p.Status)
	}
}
