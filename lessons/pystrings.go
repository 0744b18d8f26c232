package lessons

import "strings"

// InString reports, for each line of Python source, whether it starts
// inside a string that spans lines (a triple-quoted string, or a quoted
// one continued with a backslash). Such a line is text, not a line of
// code: a "!" or "%" at its start is no shell escape and no magic, as in
// IPython, which looks at logical lines only.
func InString(src string) []bool {
	lines := strings.Split(src, "\n")
	out := make([]bool, len(lines))
	var quote string // "" outside a string, else the closing quote
	for i, line := range lines {
		out[i] = quote != ""
		for j := 0; j < len(line); j++ {
			c := line[j]
			switch {
			case quote == "" && c == '#':
				j = len(line) // a comment runs to the end of the line
			case quote == "" && (c == '"' || c == '\''):
				q := string(c)
				if strings.HasPrefix(line[j:], strings.Repeat(q, 3)) {
					q = strings.Repeat(q, 3)
				}
				quote = q
				j += len(q) - 1
			case quote != "" && c == '\\':
				j++ // the escaped character, or the line's end
			case quote != "" && strings.HasPrefix(line[j:], quote):
				j += len(quote) - 1
				quote = ""
			}
		}
		if len(quote) == 1 && !strings.HasSuffix(line, "\\") {
			quote = "" // an unterminated one-line string ends with its line
		}
	}
	return out
}
