package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPIMethodHasNoIDsOrTokens(t *testing.T) {
	for _, tc := range []struct{ platform, method, url, want string }{
		{"slack", "POST", "https://slack.com/api/chat.postMessage", "chat.postMessage"},
		{"slack", "POST", "http://127.0.0.1:4242/api/conversations.replies", "conversations.replies"},
		{"slack", "POST", "https://hooks.slack.com/commands/T1/123/secret", "response_url"},
		{"discord", "POST", "https://discord.com/api/v9/channels/123456789012345678/messages", "POST /channels/{id}/messages"},
		{"discord", "POST", "https://discord.com/api/v10/interactions/123456789012345678/aW50ZXJhY3Rpb24/callback", "POST /interactions/{id}/{token}/callback"},
		{"discord", "PATCH", "https://discord.com/api/v10/webhooks/123456789012345678/tokentoken/messages/@original", "PATCH /webhooks/{id}/{token}/messages/@original"},
		{"discord", "PUT", "https://discord.com/api/v9/channels/123456789012345678/messages/123456789012345679/reactions/%F0%9F%93%9A/@me", "PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me"},
		{"discord", "PUT", "https://discord.com/api/v9/channels/123456789012345678/messages/123456789012345679/reactions/kb:123456789012345680/@me", "PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me"},
	} {
		r := httptest.NewRequest(tc.method, tc.url, nil)
		if got := APIMethod(tc.platform, r); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.platform, tc.url, got, tc.want)
		}
	}
}

// TestTransportOutcomes: Slack's ok:false with status 200 is an error, the
// body still reaches the client whole, and a 429 counts a wait.
func TestTransportOutcomes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/auth.test":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		case "/api/chat.postMessage":
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	m := New(nil, nil)
	c := &http.Client{Transport: m.Transport("slack", nil)}
	for _, p := range []string{"auth.test", "chat.postMessage", "users.info"} {
		resp, err := c.Post(srv.URL+"/api/"+p, "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if p == "auth.test" && string(b) != `{"ok":false,"error":"invalid_auth"}` {
			t.Errorf("body not passed on: %q", b)
		}
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`repertoire_platform_api_calls_total{method="auth.test",outcome="error",platform="slack"} 1`,
		`repertoire_platform_api_calls_total{method="chat.postMessage",outcome="rate_limited",platform="slack"} 1`,
		`repertoire_platform_api_calls_total{method="users.info",outcome="ok",platform="slack"} 1`,
		`repertoire_rate_limit_wait_seconds_total{cause="retry_after",method="chat.postMessage",platform="slack"} 3`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	var nilM *Metrics
	nilM.Recalled(0, true)
	nilM.Digest("slack", "posted")
	if nilM.Transport("slack", http.DefaultTransport) != http.DefaultTransport {
		t.Error("a nil Metrics should leave the transport as it is")
	}
}
