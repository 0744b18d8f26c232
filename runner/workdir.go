package runner

import (
	"fmt"
	"os"
	"path/filepath"
)

// workDir returns where the steps run: the lesson folder itself, or a
// scratch copy of it.
func workDir(lessonDir string, opts Options) (string, error) {
	if opts.InPlace {
		return filepath.Abs(lessonDir)
	}
	dir, err := os.MkdirTemp("", "labrun-")
	if err != nil {
		return "", fmt.Errorf("make work dir: %w", err)
	}
	if err := copyTree(lessonDir, dir); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("copy %s to the work dir: %w", lessonDir, err)
	}
	return dir, nil
}

// Bounds of the scratch copy: a lesson folder larger than this is
// probably not a lesson folder (a home directory, /tmp); run it with
// --in-place or move the lesson.
const (
	maxCopyBytes = 512 << 20
	maxCopyFiles = 20000
)

// copyTree copies the regular files, folders and links of src into dst,
// leaving out dst itself when it lies inside src.
func copyTree(src, dst string) error {
	var bytes int64
	files := 0
	absDst, _ := filepath.Abs(dst)
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if abs, _ := filepath.Abs(p); abs == absDst {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		files++
		if files > maxCopyFiles {
			return fmt.Errorf("the lesson folder holds more than %d files: too big for a scratch copy (use --in-place)", maxCopyFiles)
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			bytes += info.Size()
			if bytes > maxCopyBytes {
				return fmt.Errorf("the lesson folder holds more than %d MiB: too big for a scratch copy (use --in-place)", maxCopyBytes>>20)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, info.Mode().Perm())
		}
		return nil // fifos, sockets, devices: not copied
	})
}
