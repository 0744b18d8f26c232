package check

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// Course pairs: a course folder holds the recorded transcript and the
// skeleton it was made from under these names.
const (
	CourseTranscript = "README.md"
	CourseSkeleton   = "README_no_output.md"
)

// ErrNotebook is wrapped by Find's error for a notebook given as a lesson.
var ErrNotebook = fmt.Errorf("a Jupyter notebook: convert it first with \"labrun import NOTEBOOK.ipynb -o LESSON.md\"")

// Find returns the lessons under paths, in a stable order: a file is a
// transcript, "FILE:LINE" the cell at that line of it (SplitTarget) (a
// course README.md with its README_no_output.md beside it is a pair; a
// course transcript alone is stripped by heuristics); a folder holds,
// recursively, every course pair, every labrun transcript (a Markdown
// file with labrun's output markers, or a lesson of the native dialect,
// which holds its own outputs) and every cram test file (NAME.t, not
// hidden), a symbolic link to such a file too (regularFile). Errors are
// bad input: a missing path, a notebook, a folder with no lesson.
func Find(paths []string) ([]Lesson, error) {
	var out []Lesson
	var seen seenFiles
	var twoCells error
	add := func(l Lesson) {
		i, dup := seen.saw(l.Path, len(out))
		switch {
		case !dup:
			out = append(out, l)
		case l.Line == 0 || out[i].Line == 0: // the whole lesson, named once at least
			out[i].Line = 0
		case l.Line != out[i].Line && twoCells == nil:
			twoCells = &lessons.Error{Name: l.Path, Msg: fmt.Sprintf("two cells named (lines %d and %d): name one, or the whole lesson", out[i].Line, l.Line)}
		}
	}
	for _, arg := range paths {
		p, line := SplitTarget(arg)
		info, err := os.Stat(p)
		if err != nil {
			return nil, missing(p)
		}
		if line > 0 && info.IsDir() {
			return nil, &lessons.Error{Name: arg, Msg: "a folder: a line number goes with a lesson's file (lesson.md:LINE)"}
		}
		if !info.IsDir() {
			if strings.EqualFold(filepath.Ext(p), ".ipynb") {
				return nil, fmt.Errorf("%s: %w", p, ErrNotebook)
			}
			l := fileLesson(p)
			l.Line = line
			add(l)
			continue
		}
		var found []Lesson
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if lessons.IsCram(path) && !strings.HasPrefix(d.Name(), ".") && regularFile(path, d) {
				found = append(found, Lesson{Path: path}) // a cram test, as cram finds them
				return nil
			}
			if !strings.EqualFold(filepath.Ext(path), ".md") || !regularFile(path, d) {
				return nil
			}
			if d.Name() == CourseTranscript {
				if _, err := os.Stat(filepath.Join(filepath.Dir(path), CourseSkeleton)); err == nil {
					found = append(found, Lesson{Path: path, Skeleton: filepath.Join(filepath.Dir(path), CourseSkeleton)})
					return nil
				}
			}
			if b, err := os.ReadFile(path); err == nil && !bytes.Contains(b, []byte("\x00")) &&
				(transcript.IsLabrun(b) || lessons.DialectOf(b) == lessons.NativeDialect) {
				found = append(found, Lesson{Path: path})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, &lessons.Error{Name: p, Msg: "no lesson in this folder (a labrun transcript, a native lesson, a course README.md beside its README_no_output.md, or a cram test file NAME.t)"}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		for _, l := range found {
			add(l)
		}
	}
	if twoCells != nil {
		return nil, twoCells
	}
	return out, nil
}

// regularFile says whether a folder's entry is a file a lesson may be:
// a regular file, or a symbolic link to one (as cram's os.walk lists a
// link to a test among the files; a link to a folder is not followed,
// nor a dangling one). A lesson reached by a link and by its own name
// is checked once (seenFiles).
func regularFile(path string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// missing is Find's error for a path that does not exist; one that ends
// in ":N" after an existing file's name was meant as FILE:LINE, with N no
// line number.
func missing(p string) error {
	if i := strings.LastIndexByte(p, ':'); i > 0 {
		if info, err := os.Stat(p[:i]); err == nil && !info.IsDir() {
			return &lessons.Error{Name: p, Msg: fmt.Sprintf("no such file; %s:LINE takes a line number from 1", p[:i])}
		}
	}
	return &lessons.Error{Name: p, Msg: "no such file or folder"}
}

// seenFiles are the transcripts Find took, by cleaned path and by file
// identity: a lesson named twice ("sh/l1.md ./sh/l1.md", a link to it,
// a folder and a file in it) is checked once, under its first name.
type seenFiles struct {
	paths map[string]int // the index of the lesson in Find's list
	files []os.FileInfo
	at    []int // files[i] is the lesson at[i]
}

// saw says whether path names a transcript already seen, and at which
// index of Find's lessons; one not seen is noted at index next.
func (s *seenFiles) saw(path string, next int) (int, bool) {
	clean := filepath.Clean(path)
	if i, ok := s.paths[clean]; ok {
		return i, true
	}
	info, err := os.Stat(path)
	if err == nil {
		for i, f := range s.files {
			if os.SameFile(f, info) {
				return s.at[i], true
			}
		}
		s.files, s.at = append(s.files, info), append(s.at, next)
	}
	if s.paths == nil {
		s.paths = map[string]int{}
	}
	s.paths[clean] = next
	return next, false
}

// fileLesson is a transcript named on the command line.
func fileLesson(p string) Lesson {
	if filepath.Base(p) == CourseTranscript {
		sk := filepath.Join(filepath.Dir(p), CourseSkeleton)
		if _, err := os.Stat(sk); err == nil {
			return Lesson{Path: p, Skeleton: sk}
		}
	}
	return Lesson{Path: p}
}
