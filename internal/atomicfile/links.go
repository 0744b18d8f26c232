package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds a chain of symbolic links, as the kernel's ELOOP does.
const maxLinks = 40

// Target returns the file that writing path writes: path itself, or,
// when it is a symbolic link, the file the link leads to, with every
// link on the way resolved (filepath.EvalSymlinks). A link whose target
// does not exist yet resolves to where its text leads, so writing it
// creates the target, as a shell's redirection does.
func Target(path string) (string, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	// path, or the end of its chain of links, does not exist: resolve the
	// folder (which must exist) and follow the chain by hand from there.
	p := path
	for range maxLinks {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return "", err
		}
		p = filepath.Join(dir, filepath.Base(p))
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&os.ModeSymlink == 0 {
			return p, nil
		}
		to, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(dir, to) // dir has no links left: ".." is lexical here
		}
		p = to
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}
