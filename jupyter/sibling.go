package jupyter

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/lessons"
)

// Sibling is what the folder of a lesson says of the lesson's own
// notebook: the .ipynb beside it whose code cells, its set-up cell aside,
// have the lesson's sources in order. The course's Markdown export
// dropped that notebook's set-up cell, which says the version of the
// magics the lesson ran with.
type Sibling struct {
	// Lesson is the lesson's path.
	Lesson string
	// Path is the lesson's own notebook, "" when no notebook or several
	// match.
	Path string
	// Magics is the version its set-up cell defines, "" without one.
	Magics string
	// Candidates are the notebooks beside the lesson that were read: when
	// Path is "", none or several of them matched (Matches).
	Candidates []string
	// Matches are the notebooks that matched (several: none is taken).
	Matches []string
}

// FindSibling looks for the lesson's own notebook beside it, when the
// lesson carries neither a magics directive nor a set-up cell of its own
// (which win over the notebook's: runner.SettingsOf). A notebook that
// cannot be read is not a candidate.
func FindSibling(path string, lesson *lessons.Lesson) Sibling {
	s := Sibling{Lesson: path}
	if lesson.Magics != "" || lesson.SetupMagics != "" {
		return s
	}
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.ipynb"))
	want := lessonSources(lesson)
	var found *Notebook
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		nb, err := Parse(name, data)
		if err != nil {
			continue
		}
		s.Candidates = append(s.Candidates, name)
		if slices.Equal(notebookSources(nb), want) {
			s.Matches = append(s.Matches, name)
			found = nb
		}
	}
	if len(s.Matches) != 1 {
		return s
	}
	s.Path = s.Matches[0]
	for _, c := range found.Cells {
		if v, ok := lessons.SetupMagics(string(c.Source)); c.CellType == "code" && ok {
			s.Magics = v
			break
		}
	}
	return s
}

// Note says, when notebooks stand beside the lesson and none or several
// of them is its own, which magics the run falls back to (the course's
// labrun.toml's, or labrun's default); "" otherwise.
func (s Sibling) Note(course *config.Config) string {
	if s.Path != "" || len(s.Candidates) == 0 {
		return ""
	}
	fallback := fmt.Sprintf("labrun's default magics (%s)", lessons.MagicsCurrent)
	if course != nil && course.Magics != "" {
		fallback = fmt.Sprintf("the magics of %s (%s)", course.Path, course.Magics)
	}
	what := "no notebook beside it has its code cells (" + strings.Join(s.Candidates, ", ") + ")"
	if len(s.Matches) > 1 {
		what = "several notebooks beside it have its code cells (" + strings.Join(s.Matches, ", ") + ")"
	}
	return fmt.Sprintf("%s: its own notebook is not known: %s; the run uses %s", s.Lesson, what, fallback)
}

// lessonSources are the sources of a lesson's code cells, its set-up
// cell aside, as notebookSources has them.
func lessonSources(l *lessons.Lesson) []string {
	var out []string
	for _, c := range l.Cells {
		if c.Kind != lessons.Setup {
			out = append(out, strings.TrimRight(c.Source, " \t\n"))
		}
	}
	return out
}

// notebookSources are the sources of a notebook's code cells, its set-up
// cells aside, trailing blanks trimmed.
func notebookSources(nb *Notebook) []string {
	var out []string
	for _, c := range nb.Cells {
		src := string(c.Source)
		if _, setup := lessons.SetupMagics(src); c.CellType != "code" || setup {
			continue
		}
		out = append(out, strings.TrimRight(src, " \t\n"))
	}
	return out
}
