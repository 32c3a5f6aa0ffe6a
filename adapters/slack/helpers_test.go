package slack_test

import (
	"encoding/json"
	"net/url"
	"testing"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func urlEscape(s string) string { return url.QueryEscape(s) }
