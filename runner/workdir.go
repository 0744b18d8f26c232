package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/transcript"
)

// workDir returns where the steps run: the lesson folder itself, or a
// scratch copy of it in the run dir s, and the entries the copy left out.
func workDir(lessonDir string, opts Options, s *scratch) (string, []transcript.NotCopied, error) {
	if opts.InPlace {
		dir, err := filepath.Abs(lessonDir)
		return dir, nil, err
	}
	dir := s.work()
	leave, err := leftOut(lessonDir, opts.LeaveOut)
	if err != nil {
		return "", nil, err
	}
	skipped, err := copyTree(lessonDir, dir, s.run.Path(), leave, s.dirMode)
	if err != nil {
		return "", nil, fmt.Errorf("copy %s to the work dir: %w", lessonDir, err)
	}
	return dir, skipped, nil
}

// Bounds of the scratch copy: a lesson folder larger than this is
// probably not a lesson folder (a home directory, /tmp); run it with
// --in-place or move the lesson.
const (
	maxCopyBytes = 512 << 20
	maxCopyFiles = 20000
)

// leftOut returns the paths of Options.LeaveOut that lie inside the
// lesson folder, relative to it, as copyTree walks it: a path is taken
// relative to the folder unless it is absolute, and an absolute one is
// found inside the folder also through symbolic links in either path.
func leftOut(lessonDir string, paths []string) (map[string]bool, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	root, err := filepath.Abs(lessonDir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, fmt.Errorf("copy %s to the work dir: %w", lessonDir, err)
	}
	leave := map[string]bool{}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		// The file itself may be a link or not there yet: only its folder
		// is resolved.
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			continue // no such folder: nothing in the copy to leave out
		}
		rel, err := filepath.Rel(root, filepath.Join(dir, filepath.Base(p)))
		if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") {
			leave[rel] = true
		}
	}
	return leave, nil
}

// copyTree copies the regular files, folders and links of src into dst,
// leaving out runDir (the run dir that holds dst) when it lies inside
// src, and the entries leave names by their paths relative to src. An
// entry that cannot be read is left out and returned; failing to write
// the copy is an error.
// A file keeps its mode; a folder is made with dirMode, as mkdir(2) would
// make it (a checkout of the course does); a link keeps pointing where it
// pointed (copiedLink).
func copyTree(src, dst, runDir string, leave map[string]bool, dirMode os.FileMode) ([]transcript.NotCopied, error) {
	var bytes int64
	var skipped []transcript.NotCopied
	files := 0
	absRun, _ := filepath.Abs(runDir)
	root, err := filepath.Abs(src)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, err
	}
	skip := func(rel string, err error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		skipped = append(skipped, transcript.NotCopied{Path: rel, Err: err})
	}
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(src, p)
		if err != nil {
			if d == nil && rel == "." {
				return err // the lesson folder itself is not there
			}
			skip(rel, err)
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if abs, _ := filepath.Abs(p); abs == absRun || leave[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		to := filepath.Join(dst, rel)
		files++
		if files > maxCopyFiles {
			return fmt.Errorf("the lesson folder holds more than %d files: too big for a scratch copy (use --in-place)", maxCopyFiles)
		}
		switch {
		case d.IsDir() && rel == ".":
			return nil
		case d.IsDir():
			if err := os.Mkdir(to, dirMode); err != nil {
				return err
			}
			return os.Chmod(to, dirMode) // whatever labrun's own umask
		case d.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				skip(rel, err)
				return nil
			}
			return os.Symlink(copiedLink(root, filepath.Join(root, filepath.Dir(rel)), link), to)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				skip(rel, err)
				return nil
			}
			bytes += info.Size()
			if bytes > maxCopyBytes {
				return fmt.Errorf("the lesson folder holds more than %d MiB: too big for a scratch copy (use --in-place)", maxCopyBytes>>20)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				skip(rel, err)
				return nil
			}
			return writeCopy(to, b, info.Mode().Perm())
		}
		return nil // fifos, sockets, devices: not copied
	})
	return skipped, err
}

// writeCopy writes a file's copy with the original's permissions,
// whatever labrun's own umask.
func writeCopy(to string, b []byte, perm os.FileMode) error {
	if err := os.WriteFile(to, b, perm); err != nil {
		return err
	}
	return os.Chmod(to, perm)
}

// copiedLink returns what the copy of a link must hold so that it points
// where the original does. root is the lesson folder and linkDir the
// link's folder, both with no symbolic link in them. An absolute target
// stays; a relative one that stays inside the lesson folder stays
// relative, so that it points into the copy; a relative one that leaves
// the folder (../shared) is made absolute: kept as text, it would point
// beside the scratch copy, to a path anyone may create.
func copiedLink(root, linkDir, target string) string {
	if filepath.IsAbs(target) {
		return target
	}
	// Does the path climb above the lesson folder on its way? (Going out
	// and back in by the folder's name is out: the copy has another name.)
	rel, err := filepath.Rel(root, linkDir)
	depth := 0
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		depth = -1
	} else if rel != "." {
		depth = len(strings.Split(rel, "/"))
	}
	// Cleaning a/../b is only safe when no ".." follows a name (the name
	// may be a link of its own); linkDir has no link in it.
	leaves, name, exact := depth < 0, false, true
	for _, part := range strings.Split(target, "/") {
		switch part {
		case "..":
			depth--
			leaves = leaves || depth < 0
			exact = exact && !name
		case ".", "":
		default:
			depth++
			name = true
		}
	}
	switch {
	case !leaves:
		return target
	case exact:
		return filepath.Join(linkDir, target)
	}
	return linkDir + "/" + target
}
