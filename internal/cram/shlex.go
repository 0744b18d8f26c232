package cram

import "errors"

// SplitArgs splits cram's --shell-opts into arguments as cram does
// (_main.py: shlex.split, POSIX mode, no comments): blanks (space, tab,
// CR, LF) between them; a backslash outside quotes keeps the next
// character as it is; '...' keeps everything as it is; in "...", a
// backslash escapes only '"' and itself. A quote left open, or a last
// backslash, is an error, as shlex's ValueError.
func SplitArgs(s string) ([]string, error) {
	var args []string
	var cur []byte
	in := false // a token is started (an empty '' makes one)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if in {
				args, cur, in = append(args, string(cur)), nil, false
			}
		case c == '\\':
			if i+1 == len(s) {
				return nil, errors.New("no escaped character")
			}
			i++
			cur, in = append(cur, s[i]), true
		case c == '\'' || c == '"':
			in = true
			for i++; ; i++ {
				if i == len(s) {
					return nil, errors.New("no closing quotation")
				}
				if s[i] == c {
					break
				}
				if c == '"' && s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur = append(cur, s[i])
			}
		default:
			cur, in = append(cur, c), true
		}
	}
	if in {
		args = append(args, string(cur))
	}
	return args, nil
}
