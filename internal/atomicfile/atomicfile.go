// Package atomicfile writes labrun's outputs so that they never harm the
// user's files: readers see either the old content or the whole new one,
// never a part (a temporary file beside the target, then a rename); a
// symbolic link is written through, never replaced (links.go); and a
// file that was read and is written back is written only if nobody
// changed it in between (snapshot.go); a file the user made read-only
// is not written at all (ErrReadOnly), though a rename would replace it.
// Every error names the file as the caller gave it, and no file made
// beside it (the temporary file, the probe of CheckWritable): the user
// never named those (cause).
//
// It is kept by hand rather than taken from a library such as renameio,
// which renames over a link rather than writing its target and has no
// check, just before the rename, that the file is still what was read.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrReadOnly says that a file exists read-only: it was not written, for
// the rename of a new file over it would replace what the user meant to
// keep as it is.
var ErrReadOnly = errors.New("read-only; not updated")

// Write writes data to path atomically with mode perm (kept from the old
// file when there is one). When path is a symbolic link (or a chain of
// them), the file it leads to is written and the link is left as it is;
// a link that leads nowhere yet creates its target. A file that exists
// read-only is not written: the error wraps ErrReadOnly.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, nil)
}

// write is Write, with a check run on the target's resolved path after
// the new content is on disk and just before the rename (nil: none).
func write(path string, data []byte, perm os.FileMode, check func(target string) error) error {
	target, err := Target(path)
	if err != nil {
		return named("write", path, err)
	}
	if info, err := os.Stat(target); err == nil {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		if readOnly(target, info) {
			return fmt.Errorf("%s: %w", path, ErrReadOnly)
		}
		perm = info.Mode().Perm()
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return inFolder(path, dir, err)
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
		return named("write", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return named("write", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return named("write", path, err)
	}
	if err := tmp.Close(); err != nil {
		return named("write", path, err)
	}
	if check != nil {
		if err := check(target); err != nil {
			return err
		}
	}
	if err := os.Rename(name, target); err != nil {
		return named("write", path, err)
	}
	ok = true
	return nil
}

// readOnly says whether the existing file target (info: its stat) is
// one the user made read-only: no write bit at all (root too is kept
// from it, as an editor keeps it), or one this user may not write.
func readOnly(target string, info os.FileInfo) bool {
	return info.Mode().Perm()&0o222 == 0 || unix.Access(target, unix.W_OK) != nil
}

// named words err, the failure to do verb ("write", "cannot write")
// to path, with the user's path only (see cause).
func named(verb, path string, err error) error {
	return fmt.Errorf("%s %s: %w", verb, path, cause(path, err))
}

// inFolder words the failure to make the temporary file in dir, the
// folder of path, about path and its folder (see cause).
func inFolder(path, dir string, err error) error {
	return fmt.Errorf("write %s: cannot make a file in its folder %s: %w", path, dir, cause(path, err))
}

// cause returns what went wrong in err, an error met in writing path,
// without the name of a file the user never gave: an *os.PathError
// about another file (the temporary file or the probe made beside the
// target, a file on a link's way) gives its cause alone, so does the
// *os.LinkError of renaming the temporary file over the target; any
// other error is returned as it is. Every error Write, WriteIfUnchanged
// and CheckWritable return names path, as the user wrote it, and no
// other file.
func cause(path string, err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe) && pe.Path != path:
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// CheckWritable reports an error when a file could not be created in
// the folder of the file path leads to, or when the file exists
// read-only (wrapping ErrReadOnly), before any work is done.
func CheckWritable(path string) error {
	target, err := Target(path)
	if err != nil {
		return named("cannot write", path, err)
	}
	if info, err := os.Stat(target); err == nil && info.Mode().IsRegular() && readOnly(target, info) {
		return fmt.Errorf("%s: %w", path, ErrReadOnly)
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".probe-*")
	if err != nil {
		return named("cannot write", path, err)
	}
	tmp.Close()
	if err := os.Remove(tmp.Name()); err != nil {
		return named("cannot write", path, err)
	}
	return nil
}
