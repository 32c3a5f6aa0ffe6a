package repertoire

import (
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Query
	}{
		{"how do I rotate the TLS cert??", Query{Terms: []string{"rotate", "tls", "cert"}, HowTo: true}},
		{`"reload nginx" after renew`, Query{Terms: []string{"reload", "nginx", "renew"}, Phrases: [][]string{{"reload", "nginx"}}}},
		{`“smart quotes” too`, Query{Terms: []string{"smart", "quotes"}, Phrases: [][]string{{"smart", "quotes"}}}},
		{`"unbalanced phrase here`, Query{Terms: []string{"unbalanced", "phrase"}, Phrases: [][]string{{"unbalanced", "phrase", "here"}}}},
		{`"single" word`, Query{Terms: []string{"single", "word"}}},
		{`he said "one two three four five six seven eight nine" ok`, Query{Terms: []string{"said", "one", "two", "three",
			"four", "five", "six", "seven", "eight", "nine", "ok"}}},
		{`deploy -staging --save-dev -v -1`, Query{Terms: []string{"deploy", "save", "dev", "v", "1"}, Not: []string{"staging"}}},
		{`tag:TLS tag:#ops kind:solutions from:@Ana in:#ops-team cert`, Query{Terms: []string{"cert"},
			Tags: []string{"tls", "ops"}, Kinds: []Kind{Solution}, From: []string{"Ana"}, In: []string{"ops-team"}}},
		{`from:<@U123> in:<#C42|general> by:bob`, Query{From: []string{"U123", "bob"}, In: []string{"C42"}}},
		{`tag: kind:banana from:@ in:#`, Query{Terms: []string{"tag", "kind", "banana"}}},
		{`#kubernetes upgrade`, Query{Terms: []string{"kubernetes", "upgrade"}}},
		{`NEAR(a b) AND col:x^ *`, Query{Terms: []string{"near", "b", "col", "x"}}},
		{"caf\xc3\xa9 na\xefve", Query{Terms: []string{"cafe", "na", "ve"}}},
	} {
		got := ParseQuery(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseQuery(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}
