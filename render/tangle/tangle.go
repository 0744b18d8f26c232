// Package tangle turns a lesson into a folder that replays it without
// labrun: every file the lesson writes, byte for byte as "labrun run"
// writes it (Cell.FileContent in lessons), and a run.sh holding the lesson's
// shell-visible commands in order (layout.go has the folder's layout).
//
// run.sh replays %run lines, the "!" lines of Python cells that hold no
// Python interpolation, %%bash and %%sh bodies (as here-documents), and
// background launchers (TInteractiveLauncher('CMD'), %bash_async CMD) as
// "&" jobs that their close() waits for. Each step gets a timeout
// (LABRUN_STEP_TIMEOUT seconds, default 10) and is interrupted with
// SIGINT, as labrun interrupts a step that never ends; what sh cannot
// replay (Python code, interpolated commands, input fed to a launcher) is
// kept in run.sh as comments, so a reader sees the whole lesson.
package tangle

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// File is one file of the tangled folder.
type File struct {
	// Name is the path relative to the folder, with forward slashes.
	Name string
	// Data is its content.
	Data []byte
	// Mode is its permission bits.
	Mode uint32
}

// Tangle returns the files of a lesson's folder (layout.go): each file
// its cells write, under its own name as the last cell left it and every
// version under .tangle/cellN/NAME for run.sh to copy into place in
// turn; and run.sh. A lesson whose files clash with that layout is
// refused: a lessons.ErrorList naming each cell and line.
func Tangle(l *lessons.Lesson) ([]File, error) {
	written := filesOf(l)
	if err := clashes(l, written); err != nil {
		return nil, err
	}
	var files []File
	last := map[string]int{} // name -> index in files
	g := &gen{lesson: l, assigned: assignedNames(l), versions: map[int]string{}}
	for _, w := range written {
		data := w.cell.FileContent()
		v := versionName(w.cell, w.name)
		files = append(files, File{Name: v, Data: data, Mode: 0o644})
		g.versions[w.cell.Index] = v
		if i, ok := last[w.name]; ok {
			files[i].Data = data
			continue
		}
		last[w.name] = len(files)
		files = append(files, File{Name: w.name, Data: data, Mode: 0o644})
	}
	g.header()
	for _, c := range l.Cells {
		g.cell(c)
	}
	g.directives(l.After)
	g.footer()
	return append(files, File{Name: Script, Data: []byte(g.b.String()), Mode: 0o755}), nil
}

// gen writes run.sh.
type gen struct {
	lesson   *lessons.Lesson
	assigned map[string]bool // Python names the lesson assigns ($name interpolates them)
	b        strings.Builder
	jobs     map[string]bool // launcher variables with a running job
	versions map[int]string  // cell index -> its version of the file it writes
}

func (g *gen) linef(format string, args ...any) {
	fmt.Fprintf(&g.b, format+"\n", args...)
}

func (g *gen) header() {
	g.linef("#!/bin/sh")
	g.linef("# %s: the shell commands of %s, in order, written by \"labrun tangle\".", Script, path.Base(g.lesson.Name))
	g.linef("# It runs in its own folder (sh %s from anywhere). Each step is interrupted (SIGINT, then", Script)
	g.linef("# SIGKILL 2 s later) after LABRUN_STEP_TIMEOUT seconds (default 10), as labrun")
	g.linef("# does; what sh cannot replay (Python code) is kept as comments. Each file the")
	g.linef("# lesson writes is copied into place from %s/ when its cell comes.", VersionsDir)
	g.linef(`cd "$(dirname "$0")" || exit 1`)
	g.linef("T=${LABRUN_STEP_TIMEOUT:-10}")
	g.linef(`step() { timeout -s INT -k 2 "$T" sh -c "$1"; }`)
}

func (g *gen) footer() {
	g.linef("")
	g.linef("wait")
}

// cell writes one cell's part of run.sh.
func (g *gen) cell(c *lessons.Cell) {
	g.linef("")
	g.directives(c.Before)
	g.linef("# %s: cell %d (%s)", c.Pos(path.Base(g.lesson.Name)), c.Index+1, c.Kind)
	if c.Attrs != nil && c.Attrs.Skip {
		g.linef("# not run (skip)")
		return
	}
	if c.MagicExit != nil {
		g.linef("# not run: the course's magic refuses its magic line")
		return
	}
	if v, ok := g.versions[c.Index]; ok {
		name := path.Clean(c.File.Name)
		g.linef("mkdir -p %s && cp -f %s %s", shQuote(path.Dir(name)), shQuote(v), shQuote(name))
	}
	switch c.Kind {
	case lessons.File, lessons.WriteFile:
		for _, cmd := range c.File.Commands {
			switch cmd.Kind {
			case lessons.Run:
				g.linef("step %s", shQuote(cmd.Text))
			case lessons.Markdown:
				g.comment("shows: " + cmd.Text)
			}
		}
	case lessons.Script:
		shell := c.Shell
		body := c.Body
		eof := heredocMarker(body)
		g.linef(`timeout -s INT -k 2 "$T" %s <<'%s'`, shell, eof)
		g.b.WriteString(strings.TrimSuffix(body, "\n") + "\n" + eof + "\n")
	case lessons.Python:
		g.python(c)
	case lessons.Background:
		g.background(c.Attrs.Name, c.Body, "bash")
	case lessons.Console:
		cmds := make([]string, len(c.Console))
		for i, cmd := range c.Console {
			cmds[i] = cmd.Text
		}
		body := strings.Join(cmds, "\n")
		eof := heredocMarker(body)
		g.linef(`timeout -s INT -k 2 "$T" bash <<'%s'`, eof)
		g.b.WriteString(body + "\n" + eof + "\n")
	default:
		g.linef("# not run (labrun skips it too)")
	}
}

// launcher matches the start of a background step in a Python cell:
// NAME = TInteractiveLauncher('CMD') with a plain string literal.
var launcher = regexp.MustCompile(`(?s)^([A-Za-z_]\w*)\s*=\s*TInteractiveLauncher\(\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)")\s*\)\s*$`)

// closeCall matches NAME.close(...).
var closeCall = regexp.MustCompile(`^([A-Za-z_]\w*)\.close\([^()]*\)\s*(#.*)?$`)

// python writes a Python cell: its replayable shell lines as commands,
// the rest as comments.
func (g *gen) python(c *lessons.Cell) {
	lines := strings.Split(c.Source, "\n")
	inString := lessons.InString(c.Source)
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if inString[i] {
			g.comment(line)
			continue
		}
		// A launcher call may span lines up to its closing parenthesis.
		if strings.Contains(line, "TInteractiveLauncher(") {
			j := i
			for j < len(lines)-1 && strings.Count(strings.Join(lines[i:j+1], "\n"), "(") > strings.Count(strings.Join(lines[i:j+1], "\n"), ")") {
				j++
			}
			stmt := strings.Join(lines[i:j+1], "\n")
			if m := launcher.FindStringSubmatch(stmt); m != nil {
				for _, l := range lines[i : j+1] {
					g.comment(l)
				}
				g.background(m[1], m[2]+m[3], "sh")
				i = j
				continue
			}
		}
		switch {
		case strings.HasPrefix(line, "!"):
			cmd := line[1:]
			if g.interpolates(cmd) {
				g.comment(line + "    (Python interpolation: not replayed)")
				continue
			}
			g.linef("step %s", shQuote(cmd))
		case strings.HasPrefix(line, "%bash_async "):
			g.comment(line)
			g.background("", strings.TrimPrefix(line, "%bash_async "), "bash")
		case closeCall.MatchString(line) && g.jobs[closeCall.FindStringSubmatch(line)[1]]:
			g.comment(line)
			name := closeCall.FindStringSubmatch(line)[1]
			g.linef(`wait "$job_%s"`, name)
			delete(g.jobs, name)
		default:
			g.comment(line)
		}
	}
}

// background starts a command as a job; name, when set, is the Python
// variable whose close() waits for it.
func (g *gen) background(name, cmd, shell string) {
	g.linef(`timeout -s INT -k 2 "$T" %s -c %s &`, shell, shQuote(cmd))
	if name != "" {
		g.linef("job_%s=$!", name)
		if g.jobs == nil {
			g.jobs = map[string]bool{}
		}
		g.jobs[name] = true
	}
}

// comment keeps a line sh does not run.
func (g *gen) comment(line string) {
	if strings.TrimSpace(line) == "" {
		g.linef("#")
		return
	}
	g.linef("#| %s", line)
}

// interpolation matches what IPython expands in a "!" line: {expr}
// (not {{), and $name.
var (
	braceExpr = regexp.MustCompile(`(^|[^{]){[^{}]+}`)
	dollarVar = regexp.MustCompile(`(^|[^$])\$([A-Za-z_]\w*)`)
)

// interpolates says whether IPython would put Python values into cmd:
// a {expr}, or $name for a name the lesson's Python assigns (IPython
// leaves other $names to the shell).
func (g *gen) interpolates(cmd string) bool {
	if braceExpr.MatchString(cmd) {
		return true
	}
	for _, m := range dollarVar.FindAllStringSubmatch(cmd, -1) {
		if g.assigned[m[2]] {
			return true
		}
	}
	return false
}

// assignment matches the names a Python line binds.
var assignment = regexp.MustCompile(`^\s*(?:for\s+)?([A-Za-z_][\w, ]*?)\s*(?:=[^=]|\bin\b)`)

// assignedNames returns the names the lesson's Python cells assign.
func assignedNames(l *lessons.Lesson) map[string]bool {
	names := map[string]bool{}
	for _, c := range l.Cells {
		if c.Kind != lessons.Python {
			continue
		}
		for _, line := range strings.Split(c.Source, "\n") {
			if m := assignment.FindStringSubmatch(line); m != nil {
				for _, n := range strings.Split(m[1], ",") {
					names[strings.TrimSpace(n)] = true
				}
			}
		}
	}
	return names
}

// heredocMarker returns a here-document delimiter that no line of body is.
func heredocMarker(body string) string {
	m := "LABRUN_EOF"
	for n := 1; ; n++ {
		clash := false
		for _, l := range strings.Split(body, "\n") {
			if l == m {
				clash = true
				break
			}
		}
		if !clash {
			return m
		}
		m = fmt.Sprintf("LABRUN_EOF_%d", n)
	}
}

// shQuote quotes s for sh.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
