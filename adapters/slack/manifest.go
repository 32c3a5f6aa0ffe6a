package slack

import (
	_ "embed"
	"encoding/json"
	"slices"
)

// manifestJSON is the app manifest an operator pastes into Slack's app
// settings (see README.md); the doctor compares the token's scopes with it.
//
//go:embed manifest.json
var manifestJSON []byte

// ManifestScopes returns the bot token scopes manifest.json asks for, sorted.
func ManifestScopes() []string {
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `json:"bot"`
			} `json:"scopes"`
		} `json:"oauth_config"`
	}
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil // manifest_test.go reads the same file
	}
	s := slices.Clone(m.OAuth.Scopes.Bot)
	slices.Sort(s)
	return s
}
