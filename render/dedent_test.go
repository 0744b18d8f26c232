package render

import "testing"

// TestDedent: textwrap.dedent's answers (Python 3.11).
func TestDedent(t *testing.T) {
	for in, want := range map[string]string{
		"\n        <iframe\n            width=\"1\"\n            \n        ></iframe>\n        ": "\n<iframe\n    width=\"1\"\n\n></iframe>\n",
		"\n    <a>\n  <b>\n\t<c>\n   \n x": "\n    <a>\n  <b>\n\t<c>\n\n x",
		"  a\n    b":                       "a\n  b",
		"\t\ta\n\t b":                      "\ta\n b",
		"<b>x</b>":                         "<b>x</b>",
		"   ":                              "",
	} {
		if got := dedent(in); got != want {
			t.Errorf("dedent(%q) = %q, want %q", in, got, want)
		}
	}
}
