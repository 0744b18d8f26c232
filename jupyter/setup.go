package jupyter

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// setupPython is the Python of the set-up cell Export's caller puts first
// (AddSetup): the course's magics as labrun runs them, in sections
// ("# labrun-section: NAME" lines), of which a lesson gets those it uses.
//
//go:embed setup_cell.py
var setupPython string

// setupSections are setupPython's sections by name, and setupOrder the
// order they are written in: "common" always, "files" for the file
// magics, "p", "MD" and "bash_async" for those line magics, "launcher"
// for TInteractiveLauncher.
var (
	setupSections = splitSections(setupPython)
	setupOrder    = []string{"common", "files", "p", "MD", "launcher", "bash_async"}
)

// generatedKind marks the generated set-up cell in its metadata.
const generatedKind = "setup"

// splitSections splits src at its "# labrun-section: NAME" lines.
func splitSections(src string) map[string]string {
	const mark = "# labrun-section: "
	out := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(src, "\n") {
		if n, ok := strings.CutPrefix(line, mark); ok {
			name = strings.TrimSpace(n)
			continue
		}
		out[name] += line
	}
	return out
}

// AddSetup puts a set-up cell first in nb that defines the course's
// magics its cells use, in version magics (lessons.Magics*), so that
// Jupyter runs the notebook: the file magics (%%cpp, %%asm, %%save_file,
// %%cmake, %%makefile; under "2019" their %// and %# lines show nothing,
// under "current" each shows as a heading), %p, %MD, %bash_async and
// TInteractiveLauncher. The cell's first line is lessons.GeneratedSetup
// with the version, its metadata {"labrun": {"generated": "setup",
// "magics": VERSION}}, and it ends with the course's end-of-set-up
// marker; Import drops it. A notebook that has a set-up cell already
// (the course's own) is left as it is.
func AddSetup(nb *Notebook, magics string) {
	for _, c := range nb.Cells {
		if _, ok := lessons.SetupMagics(string(c.Source)); c.CellType == "code" && ok {
			return
		}
	}
	used := magicsUsed(nb)
	var b strings.Builder
	b.WriteString(lessons.GeneratedSetup + " (magics=" + magics + ")\n")
	b.WriteString("_labrun_magics = \"" + magics + "\"\n")
	for _, name := range setupOrder {
		if name == "common" || used[name] {
			b.WriteString(setupSections[name])
		}
	}
	b.WriteString(setupEnd)
	cell := Cell{ID: "labrun-setup", CellType: "code", Source: Text(b.String()),
		Metadata: map[string]any{metaKey: map[string]any{"generated": generatedKind, "magics": magics}}}
	nb.Cells = append([]Cell{cell}, nb.Cells...)
}

// magicsUsed names the set-up sections the notebook's code cells need.
func magicsUsed(nb *Notebook) map[string]bool {
	used := map[string]bool{}
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		src := string(c.Source)
		if first, _, _ := strings.Cut(src, "\n"); strings.HasPrefix(first, "%%") {
			magic, _, _ := strings.Cut(strings.TrimSpace(first[2:]), " ")
			used["files"] = used["files"] || lessons.IsFileMagic(magic)
			continue
		}
		lines := strings.Split(src, "\n")
		for i, pl := range lessons.PythonLines(src) {
			switch pl.Kind {
			case lessons.PyMagic, lessons.PyMagicAssign:
				used[pl.Magic] = true
			case lessons.PyCode:
				used["launcher"] = used["launcher"] || strings.Contains(lines[i], "TInteractiveLauncher")
			}
		}
	}
	return used
}

// isGenerated says whether a cell is the set-up cell AddSetup put in.
func isGenerated(c Cell) bool {
	if m, ok := c.Metadata[metaKey].(map[string]any); ok && m["generated"] == generatedKind {
		return true
	}
	return c.CellType == "code" && strings.HasPrefix(string(c.Source), lessons.GeneratedSetup)
}

// withoutGenerated returns nb without the set-up cell AddSetup put in
// (wherever it stands now).
func withoutGenerated(nb *Notebook) *Notebook {
	if !slices.ContainsFunc(nb.Cells, isGenerated) {
		return nb
	}
	out := *nb
	out.Cells = slices.DeleteFunc(slices.Clone(nb.Cells), isGenerated)
	return &out
}
