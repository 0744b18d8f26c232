package lessons

import (
	"strconv"
	"strings"
)

// MagicExit is what one of the course's file magics did with an argument
// string its argparse parser refused (or with -h): it printed Text on
// Stream ("stderr": the usage and error lines; "stdout": the help) and
// raised SystemExit(Code); nothing else of the cell ran, and the notebook
// went on. Only the course dialect has it: the native one refuses the
// lesson instead.
type MagicExit struct {
	Stream, Text string
	Code         int
}

// The parsers of the course's save_file: argparse.ArgumentParser() with
// fname and --ejudge-style, and in the current magics (caos
// tools/set_up_magics.ipynb cell 1) --under-spoiler-threshold (type=int)
// too, which the 2019 ones (caos_2019-2020 tools/set_up_magics.ipynb
// cell 1) lack; in an IPython kernel started as "python -m
// ipykernel_launcher" (so prog is "ipykernel_launcher.py") whose stdout is
// no terminal (so argparse wraps at 80-2 columns: HelpFormatter). The 2019
// recordings ran Python 3.8, whose help says "optional arguments:" where
// 3.10 and later say "options:".
const saveFileProg = "ipykernel_launcher.py"

// saveFileParser is one version of save_file's parser: its usage and help
// as argparse prints them, and its long options.
type saveFileParser struct {
	usage, help string
	long        []string
}

var (
	saveFileCurrent = &saveFileParser{
		usage: "usage: ipykernel_launcher.py [-h] [--ejudge-style]\n" +
			"                             [--under-spoiler-threshold UNDER_SPOILER_THRESHOLD]\n" +
			"                             fname\n",
		help: "\npositional arguments:\n  fname\n\noptions:\n" +
			"  -h, --help            show this help message and exit\n" +
			"  --ejudge-style\n" +
			"  --under-spoiler-threshold UNDER_SPOILER_THRESHOLD\n",
		long: []string{"--help", "--ejudge-style", "--under-spoiler-threshold"},
	}
	saveFile2019 = &saveFileParser{
		usage: "usage: ipykernel_launcher.py [-h] [--ejudge-style] fname\n",
		help: "\npositional arguments:\n  fname\n\noptional arguments:\n" +
			"  -h, --help      show this help message and exit\n" +
			"  --ejudge-style\n",
		long: []string{"--help", "--ejudge-style"},
	}
)

// saveFileArgs is what save_file's parse_args(args_str.split()) gives.
type saveFileArgs struct {
	fname     string
	ejudge    bool
	threshold int // 0: not given
}

// argparseSaveFile parses a file magic's argument string as the course's
// save_file does: split at blanks, then argparse (Lib/argparse.py,
// ArgumentParser.parse_args → _parse_known_args; long options may be
// abbreviated to a unique prefix, --opt=value is one token, the required
// fname is checked before unknown words are refused), with parser p's
// options. A refusal comes back as the MagicExit argparse's error (or -h)
// caused.
func argparseSaveFile(s string, p *saveFileParser) (saveFileArgs, *MagicExit) {
	var a saveFileArgs
	var extras []string
	haveName := false
	fail := func(msg string) *MagicExit {
		return &MagicExit{Stream: "stderr", Code: 2,
			Text: p.usage + saveFileProg + ": error: " + msg + "\n"}
	}
	words := strings.Fields(s) // save_file's args_str.split()
	onlyPositional := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if onlyPositional || !strings.HasPrefix(w, "-") || w == "-" || isNegativeNumber(w) {
			if !haveName {
				a.fname, haveName = w, true
			} else {
				extras = append(extras, w)
			}
			continue
		}
		if w == "--" {
			onlyPositional = true
			continue
		}
		name, value, hasValue := strings.Cut(w, "=")
		opt := p.longOption(name)
		if name == "-h" {
			opt = "--help"
		}
		switch opt {
		case "":
			extras = append(extras, w)
		case "--help":
			if hasValue {
				return a, fail("argument -h/--help: ignored explicit argument '" + value + "'")
			}
			return a, &MagicExit{Stream: "stdout", Text: p.usage + p.help, Code: 0}
		case "--ejudge-style":
			if hasValue {
				return a, fail("argument --ejudge-style: ignored explicit argument '" + value + "'")
			}
			a.ejudge = true
		case "--under-spoiler-threshold":
			if !hasValue {
				if i+1 >= len(words) || (strings.HasPrefix(words[i+1], "-") && !isNegativeNumber(words[i+1])) {
					return a, fail("argument --under-spoiler-threshold: expected one argument")
				}
				i++
				value = words[i]
			}
			n, err := strconv.Atoi(strings.ReplaceAll(value, "_", ""))
			if err != nil {
				return a, fail("argument --under-spoiler-threshold: invalid int value: '" + value + "'")
			}
			a.threshold = n
		}
	}
	if !haveName {
		return a, fail("the following arguments are required: fname")
	}
	if len(extras) > 0 {
		return a, fail("unrecognized arguments: " + strings.Join(extras, " "))
	}
	return a, nil
}

// longOption returns the long option of the parser that w names, exactly
// or as a unique prefix (argparse's allow_abbrev); "" if none.
func (p *saveFileParser) longOption(w string) string {
	if !strings.HasPrefix(w, "--") || len(w) < 3 {
		return ""
	}
	var found string
	for _, o := range p.long {
		if o == w {
			return o
		}
		if strings.HasPrefix(o, w) {
			found = o // the three differ in their first letter: never ambiguous
		}
	}
	return found
}

// isNegativeNumber is argparse's _negative_number_matcher ('^-\d+$|^-\d*\.\d+$'):
// the parser has no option that looks like one, so such a word is a
// positional argument.
func isNegativeNumber(w string) bool {
	if len(w) < 2 || w[0] != '-' {
		return false
	}
	digits, frac, dot := strings.Cut(w[1:], ".")
	allDigits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if !dot {
		return allDigits(digits)
	}
	return allDigits(digits) && frac != "" && allDigits(frac)
}
