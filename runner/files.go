package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// writeCellFile writes a file cell's file into the work dir and says
// whether it existed before (for %%writefile's "Overwriting"). It writes
// through an os.Root, so a symbolic link a step planted cannot lead the
// write out of the work dir; in place, it never overwrites the lesson
// itself. Its errors name the line of the cell that gives the file name
// and say what was refused and why.
func (r *run) writeCellFile(c *lessons.Cell) (existed bool, err error) {
	name := filepath.FromSlash(c.File.Name)
	label, at := "file=", c.Line
	if c.Magic != "" {
		label, at = "%%"+c.Magic+" ", c.Line+1
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s%s: "+format, append([]any{r.lesson.Name, at, label, c.File.Name}, args...)...)
	}
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return false, fail("cannot write it: %w", err)
	}
	defer root.Close()
	if _, err := root.Lstat(name); err == nil {
		existed = true
	}
	if r.lessonFile != nil {
		if info, err := root.Stat(name); err == nil && os.SameFile(info, r.lessonFile) {
			return existed, fail("refused: that is the lesson itself (--in-place runs in the lesson's folder)")
		}
	}
	err = root.MkdirAll(filepath.Dir(name), 0o755)
	if err == nil {
		err = root.WriteFile(name, c.FileContent(), 0o644)
	}
	if err != nil {
		if link, target, ok := escapingLink(r.dir, name); ok {
			return existed, fail("refused: %s is a symbolic link to %s, out of the work dir; labrun writes a cell's files inside it only", filepath.ToSlash(link), target)
		}
		return existed, fail("cannot write it: %w", err)
	}
	return existed, nil
}

// escapingLink finds the first symbolic link on the way from dir to name
// (name itself included) that leads out of dir, and what it holds.
func escapingLink(dir, name string) (link, target string, ok bool) {
	top, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(filepath.Clean(name), string(filepath.Separator))
	for i := range parts {
		rel := filepath.Join(parts[:i+1]...)
		p := filepath.Join(dir, rel)
		info, err := os.Lstat(p)
		if err != nil {
			return "", "", false
		}
		if info.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(p)
		if err != nil {
			continue
		}
		to, err := filepath.EvalSymlinks(p)
		if err != nil { // a dangling link: where its text leads
			to = target
			if !filepath.IsAbs(to) {
				parent, _ := filepath.EvalSymlinks(filepath.Dir(p))
				to = filepath.Join(parent, target)
			}
		}
		if to != top && !strings.HasPrefix(to, top+string(filepath.Separator)) {
			return rel, target, true
		}
	}
	return "", "", false
}
