package lessons

import (
	"fmt"
	"strings"
)

// The three word grammars of a lesson, each in a file of its own beside
// the others: a POSIX shell's (words_shell.go: fence attributes, env=,
// directives), IPython's arg_split (words_ipython.go: the arguments of
// %%writefile) and the course's argparse parser of save_file
// (words_argparse.go: the arguments of the file magics).

// splitShell splits s into words as a POSIX shell does (Shell Command
// Language, 2.2 Quoting), quotes removed: words end at blanks; 'single
// quotes' keep everything; "double quotes" keep everything but \" \\ \$
// \`, whose backslash goes; outside quotes a backslash escapes a blank, a
// quote or a backslash and is kept before anything else (so that
// output=/\d+/ means what it says). It reads fence attributes, env= and
// directives.
func splitShell(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' quote")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
			in = true
		case c == '"':
			in = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \" quote")
			}
		case c == '\\' && i+1 < len(s) && strings.IndexByte(" \t'\"\\", s[i+1]) >= 0:
			i++
			w.WriteByte(s[i])
			in = true
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}
