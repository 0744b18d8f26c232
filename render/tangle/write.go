package tangle

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxTempTries bounds the attempts at a fresh temporary name.
const maxTempTries = 100

// Write writes files into dir (created if missing) and returns how many
// it wrote. Each file is written to a fresh temporary name beside it
// (created exclusively, so it never replaces a file, the lesson's
// included) and renamed, through an os.Root so that no name, and no
// symbolic link in dir, can lead out of dir: a link at a file's name is
// replaced, not written through.
func Write(dir string, files []File) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("tangle: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, fmt.Errorf("tangle: %w", err)
	}
	defer root.Close()
	for i, f := range files {
		if err := writeOne(root, f); err != nil {
			return i, fmt.Errorf("tangle: %s: %w", f.Name, err)
		}
	}
	return len(files), nil
}

// writeOne writes one file of the folder atomically.
func writeOne(root *os.Root, f File) error {
	name := filepath.FromSlash(f.Name)
	if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, out, err := createTemp(root, name, os.FileMode(f.Mode))
	if err != nil {
		return err
	}
	_, err = out.Write(f.Data)
	if err == nil {
		err = out.Chmod(os.FileMode(f.Mode))
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
	}
	return err
}

// createTemp creates a file of a name no file in name's folder has.
func createTemp(root *os.Root, name string, mode os.FileMode) (string, *os.File, error) {
	for range maxTempTries {
		tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tangle-"+rand.Text()[:10])
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return tmp, f, err
	}
	return "", nil, fmt.Errorf("no free temporary name beside it")
}
