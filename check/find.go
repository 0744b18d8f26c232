package check

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/labrun/labrun/lessons"
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
// transcript (a course README.md with its README_no_output.md beside it
// is a pair; a course transcript alone is stripped by heuristics); a
// folder holds, recursively, every course pair and every labrun
// transcript (a Markdown file with labrun's output markers). Errors are
// bad input: a missing path, a notebook, a folder with no lesson.
func Find(paths []string) ([]Lesson, error) {
	var out []Lesson
	var seen seenFiles
	add := func(l Lesson) {
		if !seen.saw(l.Path) {
			out = append(out, l)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, &lessons.Error{Name: p, Msg: "no such file or folder"}
		}
		if !info.IsDir() {
			if strings.EqualFold(filepath.Ext(p), ".ipynb") {
				return nil, fmt.Errorf("%s: %w", p, ErrNotebook)
			}
			add(fileLesson(p))
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
			if !strings.EqualFold(filepath.Ext(path), ".md") || !d.Type().IsRegular() {
				return nil
			}
			if d.Name() == CourseTranscript {
				if _, err := os.Stat(filepath.Join(filepath.Dir(path), CourseSkeleton)); err == nil {
					found = append(found, Lesson{Path: path, Skeleton: filepath.Join(filepath.Dir(path), CourseSkeleton)})
					return nil
				}
			}
			if b, err := os.ReadFile(path); err == nil && isLabrunTranscript(b) && !bytes.Contains(b, []byte("\x00")) {
				found = append(found, Lesson{Path: path})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, &lessons.Error{Name: p, Msg: "no lesson in this folder (a labrun transcript, or a course README.md beside its README_no_output.md)"}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Path < found[j].Path })
		for _, l := range found {
			add(l)
		}
	}
	return out, nil
}

// seenFiles are the transcripts Find took, by cleaned path and by file
// identity: a lesson named twice ("sh/l1.md ./sh/l1.md", a link to it,
// a folder and a file in it) is checked once, under its first name.
type seenFiles struct {
	paths map[string]bool
	files []os.FileInfo
}

// saw says whether path names a transcript already seen, and notes it.
func (s *seenFiles) saw(path string) bool {
	clean := filepath.Clean(path)
	if s.paths[clean] {
		return true
	}
	info, err := os.Stat(path)
	if err == nil {
		for _, f := range s.files {
			if os.SameFile(f, info) {
				return true
			}
		}
		s.files = append(s.files, info)
	}
	if s.paths == nil {
		s.paths = map[string]bool{}
	}
	s.paths[clean] = true
	return false
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

// Shard keeps the lessons of shard k of n (1 <= k <= n): those whose
// path hashes to k-1 modulo n. A lesson's shard depends on its path only,
// so adding a lesson moves no other.
func Shard(ls []Lesson, k, n int) []Lesson {
	var out []Lesson
	for _, l := range ls {
		h := fnv.New32a()
		h.Write([]byte(filepath.ToSlash(filepath.Clean(l.Path))))
		if int(h.Sum32()%uint32(n)) == k-1 {
			out = append(out, l)
		}
	}
	return out
}
