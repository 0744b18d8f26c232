package render

import "strings"

// dedent is Python's textwrap.dedent, which nbconvert applies to every
// text/html display before its Markdown template writes it
// (preprocessors/extractoutput.py, ExtractOutputPreprocessor): lines of
// only blanks become empty, and the leading blanks all other lines share
// (the same characters, tabs and spaces not mixed up) are removed.
func dedent(text string) string {
	lines := strings.Split(text, "\n")
	margin, first := "", true
	for i, l := range lines {
		body := strings.TrimLeft(l, " \t")
		if body == "" {
			lines[i] = ""
			continue
		}
		lead := l[:len(l)-len(body)]
		switch {
		case first:
			margin, first = lead, false
		case strings.HasPrefix(lead, margin):
		case strings.HasPrefix(margin, lead):
			margin = lead
		default:
			n := 0
			for n < len(lead) && n < len(margin) && lead[n] == margin[n] {
				n++
			}
			margin = margin[:n]
		}
	}
	if margin == "" {
		return strings.Join(lines, "\n")
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, margin)
	}
	return strings.Join(lines, "\n")
}
