// Package web is the repertoire's web page: plain HTML from html/template
// over the core's read API (bot.Web), which decides what a viewer may see
// exactly as recall does. No JavaScript; a small stylesheet with a dark mode
// from the system setting; SVG charts rendered here, each with a title and a
// data table. Members sign in with a one-time link the bot gives them in
// chat; the session is an HttpOnly, SameSite=Lax cookie.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/bot"
)

//go:embed templates/*.html static/style.css
var files embed.FS

// cookieName names the session cookie.
const cookieName = "repertoire_session"

// Page sizes.
const (
	listPage   = 20
	searchPage = 10
	searchMax  = 50 // recall returns at most 50 hits: five pages
)

// Options configure the web page.
type Options struct {
	// BaseURL is the page's public address (REPERTOIRE_WEB_URL): stable
	// entry URLs are shown with it, and an https one makes the session
	// cookie Secure.
	BaseURL string
	Log     *slog.Logger
}

// Server serves the pages.
type Server struct {
	web   *bot.Web
	opts  Options
	log   *slog.Logger
	tmpl  *template.Template
	css   []byte
	cssAt time.Time
}

// New returns the web page over the core's read API.
func New(w *bot.Web, opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	t, err := template.New("").Funcs(funcs).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	css, err := files.ReadFile("static/style.css")
	if err != nil {
		return nil, fmt.Errorf("web stylesheet: %w", err)
	}
	return &Server{web: w, opts: opts, log: opts.Log, tmpl: t, css: css, cssAt: time.Now()}, nil
}

// Routes are the page's URLs, for the program's HTTP listener.
func (s *Server) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /{$}":              s.page(s.home),
		"GET /search":           s.page(s.search),
		"GET /entries/{id}":     s.page(s.entry),
		"GET /tags/{name}":      s.page(s.tag),
		"GET /channels/{id}":    s.page(s.channel),
		"GET /members/{id}":     s.page(s.member),
		"GET /questions":        s.page(s.questions),
		"GET /digests":          s.page(s.digests),
		"GET /signin":           s.page(s.signinForm),
		"POST /signin":          http.HandlerFunc(s.signin),
		"POST /signout":         http.HandlerFunc(s.signout),
		"GET /static/style.css": http.HandlerFunc(s.stylesheet),
	}
}

// Handler serves Routes on a mux of its own (tests, benchmarks).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for p, h := range s.Routes() {
		mux.Handle(p, h)
	}
	return mux
}

// securityHeaders go on every response: no script at all, styles and
// images from this origin only, no framing, no referrer (a sign-in link's
// token must not leak to the sites an entry links to).
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// view is what every page template gets.
type view struct {
	Title   string
	Viewer  bot.Viewer
	Public  bool
	Query   string
	BaseURL string
	Data    any
	// Status is the HTTP status to answer with.
	Status int
}

type handler func(r *http.Request, v bot.Viewer) (tmpl string, data view, err error)

// page runs a handler for the viewer the request's cookie signs in and
// renders its template; a viewer who may see nothing gets the sign-in page.
func (s *Server) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-store")
		v, err := s.viewer(r)
		if err != nil && !errors.Is(err, bot.ErrSignedOut) {
			s.fail(w, r, v, err)
			return
		}
		name, data, err := h(r, v)
		switch {
		case errors.Is(err, bot.ErrSignedOut):
			s.render(w, r, "signedout", view{Title: "Sign in", Viewer: v, Status: http.StatusUnauthorized})
			return
		case errors.Is(err, bot.ErrNoEntry), errors.Is(err, errNotFound):
			s.render(w, r, "notfound", view{Title: "Not found", Viewer: v, Status: http.StatusNotFound})
			return
		case err != nil:
			s.fail(w, r, v, err)
			return
		}
		data.Viewer, data.Public, data.BaseURL = v, s.web.Public(), s.base(r)
		s.render(w, r, name, data)
	})
}

var errNotFound = errors.New("no such page")

func (s *Server) viewer(r *http.Request) (bot.Viewer, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return bot.Viewer{}, bot.ErrSignedOut
	}
	return s.web.Viewer(r.Context(), c.Value)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, v bot.Viewer, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.ErrorContext(r.Context(), "web page", "path", r.URL.Path, "err", err)
	s.render(w, r, "error", view{Title: "Something went wrong", Viewer: v, Status: http.StatusInternalServerError})
}

// render writes a whole page or, if the template fails, a plain error: a
// page is rendered to a buffer first so a failure never leaves half of one.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data view) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "web template", "template", name, "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if data.Status != 0 {
		w.WriteHeader(data.Status)
	}
	w.Write(buf.Bytes())
}

// base is the page's public base URL: configured, or the request's host.
func (s *Server) base(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "style.css", s.cssAt, bytes.NewReader(s.css))
}

// sameOrigin refuses a form posted from another site: with a session
// cookie that is SameSite=Lax, only sign-in (login CSRF) and sign-out are
// forms, and neither may be driven from elsewhere.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return r.Header.Get("Sec-Fetch-Site") == "" || r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// signinForm shows the button that spends a sign-in link. The link itself
// changes nothing (GET), so a chat's link preview cannot use it up.
func (s *Server) signinForm(r *http.Request, v bot.Viewer) (string, view, error) {
	token := r.URL.Query().Get("token")
	if token == "" {
		return "signedout", view{Title: "Sign in", Status: http.StatusUnauthorized}, nil
	}
	return "signin", view{Title: "Sign in", Data: token}, nil
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	if !sameOrigin(r) {
		http.Error(w, "Sign in from the link the bot gave you.", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	token := r.PostFormValue("token")
	session, v, err := s.web.SignIn(r.Context(), token)
	if errors.Is(err, bot.ErrSignedOut) {
		s.render(w, r, "expired", view{Title: "Link expired", Status: http.StatusUnauthorized})
		return
	}
	if err != nil {
		s.fail(w, r, bot.Viewer{}, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: session, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || strings.HasPrefix(s.opts.BaseURL, "https:"), MaxAge: int(s.web.SessionTTL() / time.Second)})
	s.log.InfoContext(r.Context(), "web signed in", "platform", v.Platform, "user", v.ID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if !sameOrigin(r) {
		http.Error(w, "Sign out from the page itself.", http.StatusForbidden)
		return
	}
	if c, err := r.Cookie(cookieName); err == nil {
		v, _ := s.web.Viewer(r.Context(), c.Value)
		if err := s.web.SignOut(r.Context(), c.Value, v); err != nil {
			s.fail(w, r, v, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || strings.HasPrefix(s.opts.BaseURL, "https:"), MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// pageNumber reads ?page=N (1 when absent or bad), at most max.
func pageNumber(r *http.Request, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, max)
}

// pager is the previous and next links of a list.
type pager struct {
	Page       int
	Prev, Next string
}

func newPager(r *http.Request, page int, more bool) pager {
	p := pager{Page: page}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if more {
		p.Next = link(page + 1)
	}
	return p
}

// homeData is the home page.
type homeData struct {
	Overview  bot.Overview
	Recent    []bot.Entry
	Useful    []bot.Entry
	Questions []bot.OpenQuestion
	Growth    chart
	Recall    chart
}

const chartWeeks = 12

func (s *Server) home(r *http.Request, v bot.Viewer) (string, view, error) {
	ctx := r.Context()
	o, err := s.web.Overview(ctx, v, chartWeeks)
	if err != nil {
		return "", view{}, err
	}
	d := homeData{Overview: o}
	if d.Recent, _, err = s.web.Browse(ctx, v, bot.Browse{Limit: 8}); err != nil {
		return "", view{}, err
	}
	if d.Useful, _, err = s.web.Browse(ctx, v, bot.Browse{Limit: 8, Useful: true}); err != nil {
		return "", view{}, err
	}
	if d.Questions, _, err = s.web.OpenQuestions(ctx, v, 5, 0); err != nil {
		return "", view{}, err
	}
	var kinds []string
	for _, k := range bot.Kinds() {
		kinds = append(kinds, string(k))
	}
	d.Growth = newChart("growth", "Entries saved per week, by kind", o.Growth, kinds, []string{"s0", "s1", "s2", "s3"})
	d.Recall = newChart("recall", "Recall questions per week: answered and unanswered", o.Recall,
		[]string{"answered", "unanswered"}, []string{"s1", "s2"})
	return "home", view{Title: "Repertoire", Data: d}, nil
}

// searchData is a search's results.
type searchData struct {
	Hits    []bot.Hit
	First   int // the number of the first hit shown
	Pager   pager
	Filters []filterLink
}

// filterLink narrows the current search by one more filter.
type filterLink struct {
	Label string
	URL   string
}

func (s *Server) search(r *http.Request, v bot.Viewer) (string, view, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 1000 {
		q = q[:1000]
	}
	vw := view{Title: "Search", Query: q}
	if q == "" {
		// Nothing asked: the form alone, still only for those who may see.
		if err := s.web.Allowed(r.Context(), v); err != nil {
			return "", view{}, err
		}
		vw.Data = searchData{}
		return "search", vw, nil
	}
	page := pageNumber(r, searchMax/searchPage)
	hits, err := s.web.Search(r.Context(), v, q, min(page*searchPage+1, searchMax))
	if err != nil {
		return "", view{}, err
	}
	from := (page - 1) * searchPage
	more := len(hits) > page*searchPage
	if from > len(hits) {
		from = len(hits)
	}
	shown := hits[from:min(len(hits), page*searchPage)]
	d := searchData{Hits: shown, First: from + 1, Pager: newPager(r, page, more)}
	d.Filters = filtersFor(q, hits)
	vw.Title = "Search: " + q
	vw.Data = d
	return "search", vw, nil
}

// filtersFor offers the kinds, tags and channels of the results as links
// that add the filter to the query.
func filtersFor(q string, hits []bot.Hit) []filterLink {
	add := func(f string) filterLink {
		return filterLink{Label: f, URL: "/search?" + url.Values{"q": {q + " " + f}}.Encode()}
	}
	lower := strings.ToLower(q)
	var out []filterLink
	seen := map[string]bool{}
	offer := func(f string) {
		if seen[f] || strings.Contains(lower, strings.ToLower(f)) || len(out) >= 16 {
			return
		}
		seen[f] = true
		out = append(out, add(f))
	}
	for _, k := range bot.Kinds() {
		for _, h := range hits {
			if h.Kind == k {
				offer("kind:" + string(k))
				break
			}
		}
	}
	for _, h := range hits {
		for _, t := range h.Tags {
			offer("tag:" + t)
		}
	}
	for _, h := range hits {
		if h.Channel.Name != "" && !strings.ContainsAny(h.Channel.Name, " \t") {
			offer("in:#" + h.Channel.Name)
		}
	}
	return out
}

// entryData is one entry's page.
type entryData struct {
	Entry   bot.Entry
	Related []bot.Hit
	URL     string
}

func entryID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) entry(r *http.Request, v bot.Viewer) (string, view, error) {
	id, err := entryID(r.PathValue("id"))
	if err != nil {
		return "", view{}, err
	}
	e, related, err := s.web.Entry(r.Context(), v, id)
	if err != nil {
		return "", view{}, err
	}
	d := entryData{Entry: e, Related: related, URL: s.base(r) + "/entries/" + strconv.FormatInt(e.ID, 10)}
	return "entry", view{Title: e.Title(), Data: d}, nil
}

// listData is a page of entries: a tag's, a channel's or a member's.
type listData struct {
	Heading string
	Lead    string
	Entries []bot.Entry
	Pager   pager
	Search  string // a search that narrows to the same entries
}

func (s *Server) list(r *http.Request, v bot.Viewer, b bot.Browse) ([]bot.Entry, pager, error) {
	page := pageNumber(r, 1000)
	b.Limit, b.Offset = listPage, (page-1)*listPage
	entries, more, err := s.web.Browse(r.Context(), v, b)
	if err != nil {
		return nil, pager{}, err
	}
	return entries, newPager(r, page, more), nil
}

func (s *Server) tag(r *http.Request, v bot.Viewer) (string, view, error) {
	name := strings.ToLower(strings.TrimPrefix(r.PathValue("name"), "#"))
	entries, p, err := s.list(r, v, bot.Browse{Tag: name})
	if err != nil {
		return "", view{}, err
	}
	d := listData{Heading: "#" + name, Lead: "What the tag holds, newest first.", Entries: entries, Pager: p, Search: "tag:" + name}
	return "list", view{Title: "#" + name, Data: d}, nil
}

func (s *Server) channel(r *http.Request, v bot.Viewer) (string, view, error) {
	id := r.PathValue("id")
	entries, p, err := s.list(r, v, bot.Browse{Channel: id})
	if err != nil {
		return "", view{}, err
	}
	name := id
	if len(entries) > 0 && entries[0].Channel.Name != "" {
		name = entries[0].Channel.Name
	}
	d := listData{Heading: "#" + name, Lead: "What this channel learned, newest first.", Entries: entries, Pager: p, Search: "in:#" + id}
	return "list", view{Title: "#" + name, Data: d}, nil
}

func (s *Server) member(r *http.Request, v bot.Viewer) (string, view, error) {
	id := r.PathValue("id")
	entries, p, err := s.list(r, v, bot.Browse{Member: id})
	if err != nil {
		return "", view{}, err
	}
	name := id
	for _, e := range entries {
		if e.Author.ID == id && e.Author.Name != "" {
			name = e.Author.Name
			break
		}
		for _, sv := range e.Savers {
			if sv.ID == id && sv.Name != "" {
				name = sv.Name
			}
		}
	}
	d := listData{Heading: name, Lead: "What " + name + " shared and saved, newest first.", Entries: entries, Pager: p, Search: "from:@" + id}
	return "list", view{Title: name, Data: d}, nil
}

type questionsData struct {
	Questions []bot.OpenQuestion
	Pager     pager
}

func (s *Server) questions(r *http.Request, v bot.Viewer) (string, view, error) {
	page := pageNumber(r, 1000)
	qs, more, err := s.web.OpenQuestions(r.Context(), v, listPage, (page-1)*listPage)
	if err != nil {
		return "", view{}, err
	}
	return "questions", view{Title: "Open questions", Data: questionsData{Questions: qs, Pager: newPager(r, page, more)}}, nil
}

type digestsData struct {
	Digests []bot.ArchivedDigest
	Pager   pager
}

func (s *Server) digests(r *http.Request, v bot.Viewer) (string, view, error) {
	page := pageNumber(r, 1000)
	ds, more, err := s.web.Digests(r.Context(), v, 10, (page-1)*10)
	if err != nil {
		return "", view{}, err
	}
	return "digests", view{Title: "Digests", Data: digestsData{Digests: ds, Pager: newPager(r, page, more)}}, nil
}
