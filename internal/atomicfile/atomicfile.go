// Package atomicfile writes labrun's outputs so that they never harm the
// user's files: readers see either the old content or the whole new one,
// never a part (a temporary file beside the target, then a rename); a
// symbolic link is written through, never replaced (links.go); and a
// file that was read and is written back is written only if nobody
// changed it in between (snapshot.go).
//
// It is kept by hand rather than taken from a library such as renameio,
// which renames over a link rather than writing its target and has no
// check, just before the rename, that the file is still what was read.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes data to path atomically with mode perm (kept from the old
// file when there is one). When path is a symbolic link (or a chain of
// them), the file it leads to is written and the link is left as it is;
// a link that leads nowhere yet creates its target.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, nil)
}

// write is Write, with a check run on the target's resolved path after
// the new content is on disk and just before the rename (nil: none).
func write(path string, data []byte, perm os.FileMode, check func(target string) error) error {
	target, err := Target(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if info, err := os.Stat(target); err == nil {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		perm = info.Mode().Perm()
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if check != nil {
		if err := check(target); err != nil {
			return err
		}
	}
	if err := os.Rename(name, target); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}

// CheckWritable reports an error when a file could not be created in
// the folder of the file path leads to, before any work is done.
func CheckWritable(path string) error {
	target, err := Target(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".probe-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
