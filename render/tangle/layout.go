package tangle

import (
	"fmt"
	"path"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// The folder's layout. The lesson's files sit where the lesson writes
// them; tangle keeps two names for itself, run.sh and the folder
// .tangle/, and a lesson that writes either is refused (clashes), so
// that nothing of the lesson's replaces tangle's script or its saved
// versions, and nothing of tangle's replaces the lesson's.

// Script is the name of the replay script.
const Script = "run.sh"

// VersionsDir holds every version of every file the lesson writes, one
// folder per cell (.tangle/cellN/NAME, N counted from 1); run.sh copies
// each into place when its cell comes, so a replay sees each file as the
// lesson wrote it at that point, whatever a step did to it before.
const VersionsDir = ".tangle"

// writtenFile is a file a cell writes: its name, cleaned, and where the
// lesson names it.
type writtenFile struct {
	name string
	cell *lessons.Cell
}

// filesOf returns the files the lesson's cells write, in cell order: not
// those of cells labrun does not run (skip, or a magic line the course's
// magic refuses).
func filesOf(l *lessons.Lesson) []writtenFile {
	var fs []writtenFile
	for _, c := range l.Cells {
		if c.Attrs != nil && c.Attrs.Skip || c.MagicExit != nil {
			continue
		}
		if c.FileContent() != nil {
			fs = append(fs, writtenFile{path.Clean(c.File.Name), c})
		}
	}
	return fs
}

// clashes refuses a lesson whose folder tangle cannot lay out: a file
// named as tangle's script, one inside (or named as) its versions
// folder, the folder itself, or a file inside another one's name.
func clashes(l *lessons.Lesson, fs []writtenFile) error {
	var errs lessons.ErrorList
	first := map[string]*lessons.Cell{}
	for _, f := range fs {
		if _, ok := first[f.name]; !ok {
			first[f.name] = f.cell
		}
	}
	for _, f := range fs {
		var msg string
		switch {
		case f.name == Script:
			msg = fmt.Sprintf("writes %s, the name of the replay script tangle writes; rename the lesson's file to tangle it", f.name)
		case f.name == VersionsDir || strings.HasPrefix(f.name, VersionsDir+"/"):
			msg = fmt.Sprintf("writes %s, in %s/, where tangle keeps the versions run.sh copies into place; rename the lesson's file to tangle it", f.name, VersionsDir)
		case f.name == ".":
			msg = fmt.Sprintf("writes %s, the folder itself", f.cell.File.Name)
		default:
			for dir := path.Dir(f.name); dir != "."; dir = path.Dir(dir) {
				if c, ok := first[dir]; ok {
					msg = fmt.Sprintf("writes %s inside %s, which cell %d writes as a file", f.name, dir, c.Index+1)
					break
				}
			}
		}
		if msg != "" {
			errs = append(errs, &lessons.Error{Name: l.Name, Line: nameLine(f.cell), Msg: fmt.Sprintf("cell %d %s", f.cell.Index+1, msg)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// nameLine is the line of a file cell that names its file: the magic's
// line (%%writefile NAME) or the fence's (file=NAME).
func nameLine(c *lessons.Cell) int {
	if c.Magic != "" {
		return c.Line + 1
	}
	return c.Line
}

// versionName is where a cell's version of its file is kept.
func versionName(c *lessons.Cell, name string) string {
	return fmt.Sprintf("%s/cell%d/%s", VersionsDir, c.Index+1, name)
}

// IsVersion says whether a file of the folder is a saved version (under
// .tangle/), not one of the lesson's files or run.sh.
func IsVersion(f File) bool { return strings.HasPrefix(f.Name, VersionsDir+"/") }
