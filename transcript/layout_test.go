package transcript

import (
	"html"
	"strings"
	"testing"
)

// FuzzParseOutputsFrom: ParseOutputsFrom reads the outputs ParseOutputs
// reads, and gives each line of their text the line of the block it is,
// as the output shows it (a stream's without its indent, a display's or
// a log's without the space before a marker-like line, a <pre> log's
// with its entities unescaped), in order; a line of no block line is
// empty, or the rest of a <pre> log's line that "&#10;" broke.
func FuzzParseOutputsFrom(f *testing.F) {
	f.Add("    a\n    b\n\nRun: `x`\n\n\nmore\n```\nlog\n\n```\n<pre>\n</pre>\n")
	f.Add("x\n\ny\n\n\n\n    z\n    \n")
	f.Add("```\n\n\n```\n  <pre>\nq\n")
	f.Add("<pre>\nO | &amp;amp; &lt;\nO | a&#10;b&#10;\n</pre>\n```\nO | &amp;\n```\n")
	f.Fuzz(func(t *testing.T, block string) {
		outs, from := ParseOutputsFrom(block)
		if len(from) != len(outs) {
			t.Fatalf("%d outputs, %d lists of lines", len(outs), len(from))
		}
		lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
		last := -1
		for i, o := range outs {
			text := strings.Split(o.Text, "\n")
			if len(from[i]) != len(text) {
				t.Fatalf("output %d: %d lines of text, %d from: %q %v", i, len(text), len(from[i]), o.Text, from[i])
			}
			pre := o.Kind == Log && from[i][0] > 0 && strings.TrimSpace(lines[from[i][0]-1]) == "<pre>"
			var rest []string // the lines that a <pre> line's "&#10;" made
			for k, l := range from[i] {
				if l < 0 {
					want := ""
					if len(rest) > 0 {
						want, rest = rest[0], rest[1:]
					}
					if text[k] != want {
						t.Fatalf("output %d line %d %q is of no line", i, k, text[k])
					}
					continue
				}
				want := shown(lines[l])
				if o.Kind == Stream {
					want = lines[l][4:]
				}
				if pre {
					parts := strings.Split(html.UnescapeString(want), "\n")
					want, rest = parts[0], parts[1:]
				}
				if l <= last || text[k] != want {
					t.Fatalf("output %d line %d %q from line %d %q (after %d)", i, k, text[k], l, lines[l], last)
				}
				last = l
			}
		}
	})
}
