package main

// Outputs never overwrite inputs. Every command lists the files it reads
// and the files it writes in a fileSet (the lists are at the end of this
// file) before it runs anything; fileSet.check refuses an output that is
// an input, or another output, however the two are spelled: through a
// symbolic link (to a file or a folder), a hard link, "./", "..", or a
// link that leads to a file not made yet.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/atomicfile"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/render/tangle"
)

// fileSet is what a command reads (ins) and writes (outs).
type fileSet struct {
	ins, outs []namedFile
}

// namedFile is a path a command reads or writes, with what it is to the
// command ("the lesson", "the page") and, for an output, the flag that
// names it ("--html").
type namedFile struct {
	path, what, flag string
}

// input adds a file the command reads: the lesson, the config, a report.
func (s *fileSet) input(what, path string) {
	s.ins = append(s.ins, namedFile{path: path, what: what})
}

// output adds a file the command writes, named by flag; an empty path
// (standard output) is none.
func (s *fileSet) output(flag, what, path string) {
	if path != "" {
		s.outs = append(s.outs, namedFile{path: path, what: what, flag: flag})
	}
}

// check refuses the first output that is an input, or an output added
// before it (the later would overwrite the earlier). A device or a pipe
// (/dev/null, /dev/stdout) is written to, never replaced: it clashes
// with nothing. An input that does not exist is left to the read that
// says so.
func (s *fileSet) check() error {
	ins := make([]fileID, len(s.ins))
	for i, f := range s.ins {
		ins[i] = identify(f.path)
	}
	outs := make([]fileID, len(s.outs))
	for i, f := range s.outs {
		outs[i] = identify(f.path)
		for j := range ins {
			if ins[j].info != nil && outs[i].same(ins[j]) {
				return &clashError{out: f, over: s.ins[j]}
			}
		}
		for j := range i {
			if outs[i].same(outs[j]) {
				return &clashError{out: f, over: s.outs[j]}
			}
		}
	}
	return nil
}

// clashError says that an output would overwrite an input or another
// output: "a.md: the page would overwrite the lesson a.md; choose
// another --html".
type clashError struct {
	out, over namedFile
}

func (e *clashError) Error() string {
	return fmt.Sprintf("%s: %s would overwrite %s %s; choose another %s",
		e.out.path, e.out.what, e.over.what, e.over.path, e.out.flag)
}

// fileID is what tells two paths' files apart: the file itself when it
// exists, else the path that writing it would create, its folders' (and
// its own) symbolic links resolved.
type fileID struct {
	info   os.FileInfo // nil: no such file yet
	target string      // the absolute path writing it would create
	stream bool        // not a regular file: written to, never replaced
}

// identify finds the file path names.
func identify(path string) fileID {
	if info, err := os.Stat(path); err == nil {
		return fileID{info: info, stream: !info.Mode().IsRegular()}
	}
	return fileID{target: wouldCreate(path)}
}

// same reports whether two paths' files are one.
func (a fileID) same(b fileID) bool {
	switch {
	case a.stream || b.stream:
		return false
	case a.info != nil && b.info != nil:
		return os.SameFile(a.info, b.info)
	case a.info == nil && b.info == nil:
		return a.target == b.target
	}
	return false
}

// wouldCreate is the absolute path that writing path would create:
// atomicfile.Target's (links followed as writing follows them) where
// path's folder exists; else the nearest folder above it that exists,
// resolved, joined with the rest (a write there fails, and says so
// later: what counts here is that two such paths compare equal).
func wouldCreate(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if t, err := atomicfile.Target(abs); err == nil {
		return t
	}
	rest := filepath.Base(abs)
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(real, rest)
		}
		if !errors.Is(err, fs.ErrNotExist) || dir == filepath.Dir(dir) {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// What each command reads and writes.

// runFiles is what "labrun run" reads (its lessons and their course
// settings) and writes (the transcripts, outs[i] for lesson i, and the
// page).
func runFiles(o *runOptions, outs []string) *fileSet {
	s := &fileSet{}
	for i, l := range o.lessons {
		s.input("the lesson", l)
		s.output("-o", "the transcript", outs[i])
	}
	courseFiles(s, o.lessons, o.config)
	s.output("--html", "the page", o.html)
	return s
}

// checkFiles is what "labrun check" reads (the transcripts found, their
// skeletons and course settings, the earlier reports that select and
// balance the lessons) and the report files it writes. The transcripts
// --update rewrites are its inputs, written over on purpose.
func checkFiles(o *checkOptions, found []check.Lesson) *fileSet {
	s := &fileSet{}
	for _, r := range []string{o.failedFrom, o.durations} {
		if r != "" {
			s.input("the earlier report", r)
		}
	}
	var dirs []string
	for _, l := range found {
		s.input("the transcript", l.Path)
		if l.Skeleton != "" {
			s.input("the skeleton", l.Skeleton)
		}
		dirs = append(dirs, l.Path)
	}
	courseFiles(s, dirs, o.config)
	s.output("--junit", "the JUnit report", o.junit)
	return s
}

// courseFiles adds the course settings the lessons read: the file given
// (--config), or each lesson's labrun.toml.
func courseFiles(s *fileSet, lessons []string, given string) {
	if given != "" {
		s.input("the course's settings", given)
		return
	}
	seen := map[string]bool{}
	for _, l := range lessons {
		if p, err := config.Find(filepath.Dir(l)); err == nil && p != "" && !seen[p] {
			seen[p] = true
			s.input("the course's settings", p)
		}
	}
}

// mergeFiles is what "labrun report merge" reads and writes.
func mergeFiles(reports []string, out string) *fileSet {
	s := &fileSet{}
	for _, r := range reports {
		s.input("the report", r)
	}
	s.output("-o", "the merged report", out)
	return s
}

// tangleFiles is what "labrun tangle" reads (the lesson) and writes (the
// lesson's files, run.sh and the versions, in dir).
func tangleFiles(lesson, dir string, files []tangle.File) *fileSet {
	s := &fileSet{}
	s.input("the lesson", lesson)
	for _, f := range files {
		s.output("-d", "a file tangle writes", filepath.Join(dir, filepath.FromSlash(f.Name)))
	}
	return s
}

// handoutFiles is what a handout (strip, html, import, export) reads and
// writes.
func handoutFiles(in, out string) *fileSet {
	s := &fileSet{}
	s.input("the input", in)
	s.output("-o", "the output", out)
	return s
}
