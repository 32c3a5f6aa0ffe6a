package repertoire

import (
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want query
	}{
		{"how do I rotate the TLS cert??", query{terms: []string{"rotate", "tls", "cert"}, howTo: true}},
		{`"reload nginx" after renew`, query{terms: []string{"reload", "nginx", "renew"}, phrases: [][]string{{"reload", "nginx"}}}},
		{`“smart quotes” too`, query{terms: []string{"smart", "quotes"}, phrases: [][]string{{"smart", "quotes"}}}},
		{`"unbalanced phrase here`, query{terms: []string{"unbalanced", "phrase"}, phrases: [][]string{{"unbalanced", "phrase", "here"}}}},
		{`"single" word`, query{terms: []string{"single", "word"}}},
		{`he said "one two three four five six seven eight nine" ok`, query{terms: []string{"said", "one", "two", "three",
			"four", "five", "six", "seven", "eight", "nine", "ok"}}},
		{`deploy -staging --save-dev -v -1`, query{terms: []string{"deploy", "save", "dev", "v", "1"}, not: []string{"staging"}}},
		{`tag:TLS tag:#ops kind:solutions from:@Ana in:#ops-team cert`, query{terms: []string{"cert"},
			tags: []string{"tls", "ops"}, kinds: []Kind{Solution}, from: []string{"Ana"}, in: []string{"ops-team"}}},
		{`from:<@U123> in:<#C42|general> by:bob`, query{from: []string{"U123", "bob"}, in: []string{"C42"}}},
		{`tag: kind:banana from:@ in:#`, query{terms: []string{"tag", "kind", "banana"}}},
		{`#kubernetes upgrade`, query{terms: []string{"kubernetes", "upgrade"}}},
		{`NEAR(a b) AND col:x^ *`, query{terms: []string{"near", "b", "col", "x"}}},
		{"caf\xc3\xa9 na\xefve", query{terms: []string{"cafe", "na", "ve"}}},
	} {
		got := parseQuery(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseQuery(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}
