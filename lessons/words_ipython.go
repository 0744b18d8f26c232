package lessons

import (
	"fmt"
	"strings"
)

// splitIPythonArgs splits a magic's argument string as IPython's
// arg_split does (IPython/utils/_process_common.py: shlex in non-POSIX
// mode, splitting at blanks): a word that starts with a quote runs to the
// matching quote and keeps both; quotes inside a word and backslashes are
// plain characters.
func splitIPythonArgs(s string) ([]string, error) {
	var args []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '"' || c == '\'':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("no closing quotation")
			}
			args = append(args, s[i:i+end+2])
			i += end + 2
		default:
			end := strings.IndexAny(s[i:], " \t\r\n")
			if end < 0 {
				end = len(s) - i
			}
			args = append(args, s[i:i+end])
			i += end
		}
	}
	return args, nil
}
