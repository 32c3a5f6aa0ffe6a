package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"github.com/repertoire/repertoire/internal/doctor"
)

// DoctorOptions say what `repertoire doctor` checks besides the tokens.
type DoctorOptions struct {
	// Listener is the address the program serves the Events API on
	// (REPERTOIRE_HTTP_ADDR), when a signing secret is set.
	Listener string
	// Timeout bounds each check; 15 s when zero.
	Timeout time.Duration
}

// Doctor checks a Slack set-up and records what it finds in l: the bot
// token (auth.test), its granted scopes against manifest.json's, Socket
// Mode (apps.connections.open with the app token, then the websocket's
// hello) or the Events API's signing secret and listener, and the channels
// the bot is a member of. It posts nothing and changes nothing in Slack; the
// Socket Mode check holds a connection for as long as the hello takes, so a
// running bot may see an event redelivered once.
func Doctor(ctx context.Context, o Options, do DoctorOptions, l *doctor.List) {
	if do.Timeout <= 0 {
		do.Timeout = 15 * time.Second
	}
	if o.APIURL == "" {
		o.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	client := o.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: do.Timeout}
	}
	seen := &scopeHeader{}
	opts := []slack.Option{slack.OptionAPIURL(o.APIURL), slack.OptionHTTPClient(client), slack.OptionOnResponseHeaders(seen.record)}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	api := slack.New(o.BotToken, opts...)

	cctx, cancel := context.WithTimeout(ctx, do.Timeout)
	auth, err := api.AuthTestContext(cctx)
	cancel()
	if err != nil {
		fix := "check SLACK_BOT_TOKEN: copy the Bot User OAuth Token (xoxb-) from your app's OAuth & Permissions page, and reinstall the app if it was revoked"
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) {
			fix = "Slack did not answer: check SLACK_API_URL (" + o.APIURL + ") and that this host reaches it (proxy, firewall, DNS)"
		}
		l.Fail("Slack auth.test: "+err.Error(), fix)
		return
	}
	l.OK(fmt.Sprintf("Slack auth.test: bot %s in workspace %s (%s)", auth.User, auth.Team, auth.TeamID))
	doctorScopes(seen, l)
	if o.AppToken != "" {
		doctorSocketMode(ctx, api, do.Timeout, l)
	}
	if o.SigningSecret != "" {
		doctorEventsAPI(ctx, o.SigningSecret, do, l)
	}
	doctorChannels(ctx, api, auth.UserID, do.Timeout, l)
}

// scopeHeader keeps the X-OAuth-Scopes header of auth.test's answer:
// Slack lists the token's granted scopes there on Web API calls.
type scopeHeader struct {
	mu     sync.Mutex
	scopes string
	seen   bool
}

func (s *scopeHeader) record(method string, h http.Header) {
	v, ok := h[http.CanonicalHeaderKey("X-OAuth-Scopes")]
	if method != "auth.test" || !ok {
		return
	}
	s.mu.Lock()
	s.scopes, s.seen = strings.Join(v, ","), true
	s.mu.Unlock()
}

// parseScopes splits an X-OAuth-Scopes value ("chat:write,commands").
func parseScopes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func doctorScopes(h *scopeHeader, l *doctor.List) {
	h.mu.Lock()
	raw, seen := h.scopes, h.seen
	h.mu.Unlock()
	if !seen {
		l.Warn("Slack scopes: auth.test's answer did not list the granted scopes (no X-OAuth-Scopes header)",
			"compare the Bot Token Scopes on your app's OAuth & Permissions page with adapters/slack/manifest.json by hand")
		return
	}
	granted, want := parseScopes(raw), ManifestScopes()
	var missing, extra []string
	for _, s := range want {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(want, s) {
			extra = append(extra, s)
		}
	}
	if len(missing) > 0 {
		l.Fail("Slack scopes: the token lacks "+strings.Join(missing, ", "),
			"add them under OAuth & Permissions → Bot Token Scopes (or paste adapters/slack/manifest.json into the app's manifest), then reinstall the app to the workspace so the token gets them")
		return
	}
	if len(extra) > 0 {
		l.Warn(fmt.Sprintf("Slack scopes: all %d the manifest asks for, and %s, which the bot does not use", len(want), strings.Join(extra, ", ")),
			"remove them from Bot Token Scopes and reinstall: the bot should hold no more than it needs")
		return
	}
	l.OK(fmt.Sprintf("Slack scopes: the %d the manifest asks for", len(want)))
}

// doctorSocketMode opens a Socket Mode connection and waits for its hello.
func doctorSocketMode(ctx context.Context, api *slack.Client, timeout time.Duration, l *doctor.List) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, wsURL, err := api.StartSocketModeContext(ctx)
	if err != nil {
		fix := "check SLACK_APP_TOKEN: an app-level token (xapp-) with the connections:write scope, from Basic Information → App-Level Tokens; and turn Socket Mode on in the app's settings"
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) {
			fix = "Slack did not answer: check that this host reaches it (proxy, firewall, DNS)"
		}
		l.Fail("Slack Socket Mode: apps.connections.open: "+err.Error(), fix)
		return
	}
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: timeout}
	c, _, err := d.DialContext(ctx, wsURL, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		l.Fail("Slack Socket Mode: websocket: "+redactURL(err, wsURL).Error(),
			"this host must reach Slack's websocket servers (wss-primary.slack.com, port 443): check the proxy and firewall")
		return
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetReadDeadline(dl)
	}
	var hello struct {
		Type string `json:"type"`
	}
	_, raw, err := c.ReadMessage()
	if err == nil {
		err = json.Unmarshal(raw, &hello)
	}
	if err == nil && hello.Type != "hello" {
		err = fmt.Errorf("first frame is %q, not hello", hello.Type)
	}
	if err != nil {
		l.Fail("Slack Socket Mode: no hello: "+err.Error(), "Slack opened the connection but did not greet: retry, and check status.slack.com")
		return
	}
	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	l.OK("Slack Socket Mode: connected, hello received")
}

// redactURL keeps the single-use websocket URL (a capability) out of err.
func redactURL(err error, u string) error {
	if err == nil || u == "" || !strings.Contains(err.Error(), u) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), u, "[socket URL]"))
}

// doctorEventsAPI checks the Events API set-up: the signing secret is not
// a token pasted by mistake, and the listener, when it runs, is this bot's.
func doctorEventsAPI(ctx context.Context, secret string, do DoctorOptions, l *doctor.List) {
	if strings.HasPrefix(secret, "xox") || strings.HasPrefix(secret, "xapp-") {
		l.Fail("Slack Events API: SLACK_SIGNING_SECRET holds a token, not the signing secret",
			"copy the Signing Secret from Basic Information → App Credentials")
		return
	}
	if do.Listener == "" {
		l.Fail("Slack Events API: no listener (REPERTOIRE_HTTP_ADDR is empty)", "set REPERTOIRE_HTTP_ADDR, e.g. :8080, and point the app's Request URL at https://YOUR-HOST/slack/events")
		return
	}
	host, port, err := net.SplitHostPort(do.Listener)
	if err != nil {
		l.Fail("Slack Events API: REPERTOIRE_HTTP_ADDR "+do.Listener+": "+err.Error(), "use host:port or :port, e.g. :8080")
		return
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	where := "Slack's Event Subscriptions and Interactivity Request URLs must reach it as https://YOUR-HOST/slack/events and /slack/interactions"
	// An unsigned request: this bot's listener refuses it with 401.
	ctx, cancel := context.WithTimeout(ctx, min(do.Timeout, 5*time.Second))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+net.JoinHostPort(host, port)+"/slack/events", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.OK("Slack Events API: signing secret set; nothing listens on " + do.Listener + " now (the bot is not running); " + where)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		l.Fail(fmt.Sprintf("Slack Events API: %s/slack/events answered an unsigned request with %d, not 401", do.Listener, resp.StatusCode),
			"another program (or a bot without SLACK_SIGNING_SECRET) holds REPERTOIRE_HTTP_ADDR: stop it or choose another address")
		return
	}
	l.OK("Slack Events API: signing secret set; the listener on " + do.Listener + " checks signatures; " + where)
}

// doctorChannels lists the conversations the bot is a member of
// (users.conversations, public and private channels).
func doctorChannels(ctx context.Context, api *slack.Client, self string, timeout time.Duration, l *doctor.List) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var names []string
	cursor := ""
	for page := 0; page < 20; page++ {
		chs, next, err := api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{UserID: self, Cursor: cursor,
			Types: []string{"public_channel", "private_channel"}, Limit: 200, ExcludeArchived: true})
		if err != nil {
			l.Fail("Slack channels: users.conversations: "+err.Error(), "the token needs channels:read and groups:read (see the scopes check)")
			return
		}
		for _, c := range chs {
			names = append(names, "#"+c.Name)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(names) == 0 {
		l.Warn("Slack channels: the bot is a member of none, so it sees no messages or reactions there",
			"invite it to each channel whose knowledge it should keep: /invite @repertoire")
		return
	}
	shown := names
	if len(shown) > 10 {
		shown = append(slices.Clone(shown[:10]), fmt.Sprintf("and %d more", len(names)-10))
	}
	l.OK(fmt.Sprintf("Slack channels: the bot is in %d: %s", len(names), strings.Join(shown, ", ")))
}
