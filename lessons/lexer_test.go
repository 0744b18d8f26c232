package lessons

import (
	"reflect"
	"testing"
)

// TestLexDirective: a directive's words as the one lexer reads them,
// with its regular-expression tokens as written.
func TestLexDirective(t *testing.T) {
	for _, tc := range []struct {
		text  string
		words []string
		subst *substitution
	}{
		{`dialect=native timeout="30 s"`, []string{"dialect=native", "timeout=30 s"}, nil},
		{`wait srv output=/ready on \d+/ 2s`, []string{"wait", "srv", `output=/ready on \d+/`, "2s"}, nil},
		{`wait srv output=/a/b/`, []string{"wait", "srv", "output=/a/b/"}, nil},
		{`wait srv output=/it's/`, []string{"wait", "srv", "output=/it's/"}, nil},
		{`wait srv output=/a\/ b/ 1s`, []string{"wait", "srv", `output=/a\/ b/`, "1s"}, nil},
		{`wait srv output=/C:\\/ 1s`, []string{"wait", "srv", `output=/C:\\/`, "1s"}, nil},
		{`wait srv output=//`, []string{"wait", "srv", "output=//"}, nil},
		{`wait srv "output=/a b/"`, []string{"wait", "srv", "output=/a b/"}, nil},
		{`normalize /took \d+ rounds/took R rounds/`, []string{"normalize"}, &substitution{`took \d+ rounds`, "took R rounds"}},
		{`normalize |x\|y|z|`, []string{"normalize"}, &substitution{"x|y", "z"}},
		{`expect exit:3`, []string{"expect", "exit:3"}, nil},
		{`stop srv SIGINT`, []string{"stop", "srv", "SIGINT"}, nil},
	} {
		st, err := lexDirective(1, tc.text, true)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		var words []string
		for _, w := range st.words {
			words = append(words, w.String())
		}
		if !reflect.DeepEqual(words, tc.words) || !reflect.DeepEqual(st.subst, tc.subst) {
			t.Errorf("%s: words %q, subst %+v; want %q, %+v", tc.text, words, st.subst, tc.words, tc.subst)
		}
	}
	// A pattern with no closing slash before a blank is a shell word
	// (which wait refuses: "write the pattern between slashes").
	if st, err := lexDirective(1, `wait srv output=/a/b`, true); err != nil || st.words[2].pattern || st.words[2].value != "/a/b" {
		t.Errorf("unclosed pattern: %+v, %v", st, err)
	}
	for _, bad := range []string{`wait 'srv`, `timeout="30s`, `normalize /a/b`, `normalize abc`} {
		if _, err := lexDirective(1, bad, true); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
