package lessons

import (
	"fmt"
	"strings"
)

// The directive grammar, read once for every use (settings, waits and
// stops, check rules): a directive is an HTML comment on one line of its
// own, at the top level of the Markdown, that begins with "labrun:" (or,
// for settings only, the older "labrun " without the colon):
//
//	<!-- labrun: VERB ARG... -->   a directive of the flow or a check rule
//	<!-- labrun: KEY=VALUE... -->  settings
//
// Its words are split as a shell splits them (splitShell's quotes and
// backslashes), each a bare word or key=value, but for two tokens that
// hold a regular expression as written, backslashes and blanks included:
//
//   - KEY=/REGEX/ for a key that takes a pattern (output=): the pattern
//     runs to the first slash that ends the word (before a blank or the
//     end of the comment) and that no backslash escapes; "\/" stays in
//     the pattern, where it means a slash;
//   - normalize's one argument, DREGEXDREPLACEMENTD: the first character
//     D is the delimiter (any but a letter, a digit, a blank or a
//     backslash); "\D" is D in the text.
//
// The transcript's marker lines (internal/marker) begin as a directive does
// but are none: Parse refuses a lesson that holds one before it reads a
// directive.

// statement is one directive as the lexer reads it.
type statement struct {
	// line is its lesson line.
	line int
	// colon says it was written "labrun:" (the older "labrun " sets
	// settings only).
	colon bool
	// text is what follows "labrun:" (or "labrun"), trimmed, as written.
	text string
	// words are its words, the verb (if any) first.
	words []attr
	// subst is normalize's argument, lexed; nil for other directives.
	subst *substitution
}

// verb returns the directive's first word when it is a bare word ("wait",
// "ignore-output"), "" for settings (key=value words).
func (st *statement) verb() string {
	if len(st.words) > 0 && st.words[0].bare {
		return st.words[0].key
	}
	return ""
}

// args returns the words after the verb, as written but for quotes, one
// a string.
func (st *statement) args() []string {
	var out []string
	for _, a := range st.words[1:] {
		out = append(out, a.String())
	}
	return out
}

// substitution is a normalize rule's /REGEX/REPLACEMENT/ token.
type substitution struct {
	re, repl string
}

// patternKeys are the keys whose value is a /REGEX/ token.
var patternKeys = []string{"output"}

// directiveText returns what a labrun comment holds and whether it is
// the colon form ("labrun:"); ok is false for other HTML and for a
// marker line.
func directiveText(block string) (text string, colon, ok bool) {
	line := strings.TrimSpace(block)
	rest, ok := strings.CutPrefix(line, "<!-- labrun")
	if !ok || !strings.HasSuffix(rest, "-->") {
		return "", false, false
	}
	rest = strings.TrimSuffix(rest, "-->")
	if r, c := strings.CutPrefix(rest, ":"); c {
		return strings.TrimSpace(r), true, true
	}
	if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return "", false, false // <!-- labrunner ...: not labrun's
	}
	return strings.TrimSpace(rest), false, true
}

// lexDirective reads the text of a directive (directiveText's) into its
// words and tokens.
func lexDirective(line int, text string, colon bool) (*statement, error) {
	st := &statement{line: line, colon: colon, text: text}
	for i := skipBlanks(text, 0); i < len(text); i = skipBlanks(text, i) {
		if len(st.words) == 1 && st.words[0].bare && st.words[0].key == "normalize" {
			s, err := lexSubstitution(text[i:])
			if err != nil {
				return nil, fmt.Errorf("normalize: %w", err)
			}
			st.subst = s
			break
		}
		a, next, err := lexWord(text, i)
		if err != nil {
			return nil, err
		}
		st.words = append(st.words, a)
		i = next
	}
	return st, nil
}

// lexWord reads the word at text[i]: a KEY=/REGEX/ token, or a shell
// word read as key=value or a bare word.
func lexWord(text string, i int) (attr, int, error) {
	for _, k := range patternKeys {
		if !strings.HasPrefix(text[i:], k+"=/") {
			continue
		}
		start := i + len(k) + 2
		if end := patternEnd(text, start); end >= 0 {
			return attr{key: k, value: text[start:end], pattern: true}, end + 1, nil
		}
	}
	w, next, err := shellWord(text, i)
	if err != nil {
		return attr{}, 0, err
	}
	k, v, ok := strings.Cut(w, "=")
	if !ok {
		return attr{key: w, bare: true}, next, nil
	}
	return attr{key: k, value: v}, next, nil
}

// patternEnd returns the index of the slash that closes a pattern
// starting at text[start] (-1 when none does): the first slash before a
// blank or the end that an even run of backslashes (or none) precedes.
func patternEnd(text string, start int) int {
	for j := start; j < len(text); j++ {
		if text[j] != '/' || (j+1 < len(text) && text[j+1] != ' ' && text[j+1] != '\t') {
			continue
		}
		n := 0
		for k := j - 1; k >= start && text[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j
		}
	}
	return -1
}

// lexSubstitution reads normalize's argument, DREGEXDREPLACEMENTD.
func lexSubstitution(arg string) (*substitution, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return nil, fmt.Errorf("want /REGEX/REPLACEMENT/")
	}
	d := arg[0]
	if d == '\\' || d == ' ' || ('a' <= d && d <= 'z') || ('A' <= d && d <= 'Z') || ('0' <= d && d <= '9') {
		return nil, fmt.Errorf("%q: want /REGEX/REPLACEMENT/ (the first character is the delimiter)", arg)
	}
	var fields []string
	var cur strings.Builder
	for i := 1; i < len(arg); i++ {
		switch {
		case arg[i] == '\\' && i+1 < len(arg) && arg[i+1] == d:
			cur.WriteByte(d)
			i++
		case arg[i] == d:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(arg[i])
		}
	}
	if len(fields) != 2 || cur.Len() != 0 {
		return nil, fmt.Errorf("%q: want %cREGEX%cREPLACEMENT%c", arg, d, d, d)
	}
	return &substitution{re: fields[0], repl: fields[1]}, nil
}
