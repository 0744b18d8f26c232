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
	for i := skipBlanks(s, 0); i < len(s); i = skipBlanks(s, i) {
		w, next, err := shellWord(s, i)
		if err != nil {
			return nil, err
		}
		words = append(words, w)
		i = next
	}
	return words, nil
}

// skipBlanks returns the index of the first byte at or after i that is
// not a blank.
func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// shellWord reads the shell word that starts at s[i] (not a blank) and
// returns it, quotes removed, with the index after it.
func shellWord(s string, i int) (word string, next int, err error) {
	var w strings.Builder
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			return w.String(), i, nil
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "", 0, fmt.Errorf("unterminated ' quote")
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return "", 0, fmt.Errorf("unterminated \" quote")
			}
		case c == '\\' && i+1 < len(s) && strings.IndexByte(" \t'\"\\", s[i+1]) >= 0:
			i++
			w.WriteByte(s[i])
		default:
			w.WriteByte(c)
		}
	}
	return w.String(), i, nil
}
