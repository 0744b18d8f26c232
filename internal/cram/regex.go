package cram

import (
	"fmt"
	"regexp"
	"strings"
)

// How a " (re)" pattern is read. cram matches it with Python's re on
// bytes: re.match(pattern + rb"\Z", line), anchored at the line's start
// (every alternative) and, through the \Z that ends the last one, at its
// end (_diff.py: _regex); a pattern that does not compile matches
// nothing. Go's RE2 reads most of that syntax alike; translate rewrites
// what it reads otherwise, and refuses what RE2 has no equivalent for
// (the line then does not match, as in cram when Python refuses it):
//
//   - \Z is written \z; Go's own \z, \p, \Q, \C and the like are errors
//     in Python, and so here;
//   - \NNN octal escapes and \xNN are written \x{NN}; \1 ... \99 and
//     (?P=name) are backreferences: refused;
//   - in a character class, "[" is a character (Go would read "[:alpha:]"
//     as a POSIX class, Python reads its characters) and \b a backspace;
//   - {,n} is {0,n};
//   - (?#...) comments are dropped; flags (?aiLms) are kept but for a and L
//     (no-ops on these lines); (?x), (?u), lookaround (?= (?! (?<= (?<!,
//     named groups (?<name>, atomic groups (?>, conditionals (?( are
//     refused; global flags past the pattern's start are refused, as
//     Python 3.11 does;
//   - possessive quantifiers (*+, ++, ?+) and repeats over 1000 do not
//     compile in RE2: refused.
//
// One difference stays: Python's pattern runs on bytes, RE2 on UTF-8, so
// "." matches one character of a line that holds UTF-8 where Python
// would match one byte (cram's own lines escape every byte past ASCII:
// they read the same).

// compiled is a compiled pattern, nil when it did not compile.
type compiled struct{ re *regexp.Regexp }

// match says whether the pattern matches line (never, when it did not
// compile).
func (c *compiled) match(line string) bool {
	return c.re != nil && c.re.MatchString(line)
}

// compileRegex compiles a " (re)" pattern as cram's _regex does.
func compileRegex(p string) *compiled {
	t, err := translate(p)
	if err != nil {
		return &compiled{}
	}
	return anchored(t)
}

// anchored compiles a translated pattern as re.match(p + \Z) reads it.
func anchored(t string) *compiled {
	re, err := regexp.Compile(`^(?:` + t + `\z)`)
	if err != nil {
		return &compiled{}
	}
	return &compiled{re: re}
}

// compileGlob compiles a " (glob)" pattern as cram's _glob does: "\"
// before "*", "?" or "\" is kept as a regex escape, "*" is ".*", "?" is
// ".", any other character is quoted. A pattern that ends in a lone "\"
// makes cram fail with an IndexError; here it matches nothing.
func compileGlob(p string) *compiled {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 == len(p):
			return &compiled{}
		case c == '\\' && strings.IndexByte(`*?\`, p[i+1]) >= 0:
			b.WriteString(p[i : i+2])
			i++
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	return anchored(b.String())
}

// emptyMin matches a repeat without its minimum, "{,n}" or "{,}".
var emptyMin = regexp.MustCompile(`^\{,[0-9]*\}`)

// errPython is a pattern Python's re refuses, or one RE2 cannot say.
var errPython = fmt.Errorf("not a pattern both Python and RE2 read alike")

// translate rewrites a Python pattern as RE2 reads it the same, or
// refuses it (errPython).
func translate(p string) (string, error) {
	var b strings.Builder
	class := false // inside [...]
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			n, err := translateEscape(&b, p, i, class)
			if err != nil {
				return "", err
			}
			i += n
		case class && c == '[':
			b.WriteString(`\[`)
		case class && c == ']':
			class = false
			b.WriteByte(c)
		case c == '[':
			class = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`) // a first "]" is a character
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			n, err := translateGroup(&b, p, i)
			if err != nil {
				return "", err
			}
			i += n
		case !class && c == '{' && emptyMin.MatchString(p[i:]):
			b.WriteString("{0,") // Python's {,n} and {,}
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// translateEscape writes the escape at p[i] ("\" and what follows) and
// returns how many bytes past p[i] it took.
func translateEscape(b *strings.Builder, p string, i int, class bool) (int, error) {
	if i+1 == len(p) {
		return 0, errPython
	}
	c := p[i+1]
	switch {
	case c == 'Z' && !class:
		b.WriteString(`\z`)
	case c == 'b' && class:
		b.WriteString(`\x{08}`)
	case strings.IndexByte("AbB", c) >= 0 && !class, strings.IndexByte("dDsSwWafnrtv", c) >= 0:
		b.WriteString(p[i : i+2])
	case c == 'x':
		if i+3 >= len(p) || !isHex(p[i+2]) || !isHex(p[i+3]) {
			return 0, errPython
		}
		b.WriteString(`\x{` + p[i+2:i+4] + `}`)
		return 3, nil
	case '0' <= c && c <= '9':
		v, n, ok := octal(p[i+1:], class)
		if !ok {
			return 0, errPython // a backreference
		}
		fmt.Fprintf(b, `\x{%02x}`, v)
		return n, nil
	case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		return 0, errPython // Python knows no such escape
	case c < 0x80:
		b.WriteString(p[i : i+2]) // a character escaped
	default:
		b.WriteByte(c) // a byte past ASCII: itself
	}
	return 1, nil
}

// octal reads the octal escape that starts s (the digits after "\") as
// Python's sre_parse does, and how many bytes it takes: outside a class
// "\0" and up to two more octal digits, or three octal digits; anything
// else there is a backreference (not ok). In a class, up to three octal
// digits.
func octal(s string, class bool) (v, n int, ok bool) {
	isOct := func(k int) bool { return k < len(s) && '0' <= s[k] && s[k] <= '7' }
	switch {
	case class && isOct(0), s[0] == '0':
		n = 1 // and up to two more
		for n < 3 && isOct(n) {
			n++
		}
	case isOct(0) && isOct(1) && isOct(2):
		n = 3
	default:
		return 0, 0, false
	}
	for _, d := range s[:n] {
		v = v*8 + int(d-'0')
	}
	return v, n, v <= 0o377
}

// translateGroup writes the "(?" group opening at p[i] and returns how
// many bytes past p[i] it took.
func translateGroup(b *strings.Builder, p string, i int) (int, error) {
	rest := p[i+2:]
	switch {
	case strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, "P<"):
		b.WriteString("(?")
		return 1, nil
	case strings.HasPrefix(rest, "#"):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return 0, errPython
		}
		return 2 + end, nil // the comment is dropped
	}
	// flags: (?imsaL) at the start, or (?ims-ims:...) scoped
	j := 0
	for j < len(rest) && strings.IndexByte("aiLmsux-", rest[j]) >= 0 {
		j++
	}
	if j == len(rest) || rest[j] != ')' && rest[j] != ':' || j == 0 && rest[j] == ')' {
		return 0, errPython // lookaround, named (?<, atomic, conditional, or not a group
	}
	flags := rest[:j]
	if strings.ContainsAny(flags, "xu") || rest[j] == ')' && (strings.Contains(flags, "-") || !atStart(p[:i])) {
		return 0, errPython
	}
	kept := strings.NewReplacer("a", "", "L", "").Replace(flags)
	switch {
	case kept == "" && rest[j] == ')':
	case kept == "" || kept == "-":
		b.WriteString("(?:")
	default:
		b.WriteString("(?" + kept + rest[j:j+1])
	}
	return 2 + j, nil
}

// atStart says whether what comes before a global flags group is only
// other global flags groups and comments (Python 3.11 refuses global
// flags anywhere else).
func atStart(before string) bool {
	for before != "" {
		if !strings.HasPrefix(before, "(?") {
			return false
		}
		end := strings.IndexByte(before, ')')
		if end < 0 {
			return false
		}
		g := before[2:end]
		if !strings.HasPrefix(g, "#") && strings.Trim(g, "aiLms") != "" {
			return false
		}
		before = before[end+1:]
	}
	return true
}

// isHex says whether c is a hex digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
