package ghlog

import (
	"strings"
	"unicode"
)

// Command is a workflow command the runner takes from a log line.
type Command struct {
	// Name is the command's name ("error", "group", "add-mask").
	Name string
	// Line is the log line it was read from.
	Line string
}

// Commands reads a job log as the runner does (the package's doc says
// its rules) and returns the commands it takes, in order: those between
// "::stop-commands::TOKEN" and the command named TOKEN are not taken
// (that pair is). It is how labrun's tests look at what it writes to a
// job log through the runner's eyes.
func Commands(log string) []Command {
	var out []Command
	token := ""
	for _, l := range strings.FieldsFunc(log, func(r rune) bool { return r == '\n' || r == '\r' }) {
		name, data, ok := parseV2(l)
		if !ok {
			name, data, ok = parseV1(l)
		}
		if !ok {
			continue
		}
		switch {
		case token != "" && strings.EqualFold(name, token):
			token = ""
		case token != "":
			continue
		case name == "stop-commands":
			token = data
		}
		out = append(out, Command{Name: name, Line: l})
	}
	return out
}

// parseV2 reads "::name properties::data" (after leading white space).
func parseV2(l string) (name, data string, ok bool) {
	l = strings.TrimLeftFunc(l, unicode.IsSpace)
	if !strings.HasPrefix(l, "::") {
		return "", "", false
	}
	info, data, ok := strings.Cut(l[2:], "::")
	if !ok {
		return "", "", false
	}
	name, _, _ = strings.Cut(info, " ")
	return name, data, name != ""
}

// parseV1 reads "##[name properties]data" anywhere in the line.
func parseV1(l string) (name, data string, ok bool) {
	_, cmd, ok := strings.Cut(l, "##[")
	if !ok {
		return "", "", false
	}
	info, data, ok := strings.Cut(cmd, "]")
	if !ok {
		return "", "", false
	}
	name, _, _ = strings.Cut(info, " ")
	return name, data, name != ""
}
