package lessons

import (
	"fmt"
	"path"
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

// scriptValueOptions are the options of IPython's script magics
// (IPython/core/magics/script.py, script_args) that take a value.
var scriptValueOptions = map[string]bool{"--out": true, "--err": true, "--proc": true}

// scriptWords splits a script magic's line as its argparse reads it
// (ScriptMagics.shebang: arg_split in POSIX mode, then parse_known_args):
// the words that are options, and the others (the program and its
// arguments, for %%script). A value option's value is neither.
func scriptWords(args string) (opts, rest []string) {
	words, err := splitIPythonArgs(args)
	if err != nil {
		return nil, strings.Fields(args)
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) >= 2 && (w[0] == '"' || w[0] == '\'') && w[len(w)-1] == w[0] {
			w = w[1 : len(w)-1] // POSIX shlex takes the quotes off
		}
		switch {
		case scriptValueOptions[w]:
			i++
		case strings.HasPrefix(w, "--"):
			opts = append(opts, w)
		default:
			rest = append(rest, w)
		}
	}
	return opts, rest
}

// scriptProgram is the shell a %%script line names, when it names bash or
// sh (a path to one too) and nothing else but options.
func scriptProgram(args string) (string, bool) {
	_, rest := scriptWords(args)
	if len(rest) != 1 {
		return "", false
	}
	prog := path.Base(rest[0])
	return prog, prog == "bash" || prog == "sh"
}

// HasScriptOption says whether a script cell's magic line (%%bash ARGS)
// gives the script magic's option opt ("--no-raise-error"), in full or
// abbreviated as argparse allows: the options of the script magics
// (--out, --err, --bg, --proc and the raise option) differ in their first
// letter, so that "--n" is one already.
func (c *Cell) HasScriptOption(opt string) bool {
	opts, _ := scriptWords(c.Args)
	for _, o := range opts {
		if len(o) >= 3 && strings.HasPrefix(opt, o) {
			return true
		}
	}
	return false
}
