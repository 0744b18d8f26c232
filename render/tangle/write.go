package tangle

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes files into dir (created if missing). Each file is written
// to a temporary name and renamed, through an os.Root so that no name can
// lead out of dir.
func Write(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tangle: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("tangle: %w", err)
	}
	defer root.Close()
	for _, f := range files {
		name := filepath.FromSlash(f.Name)
		if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("tangle: %s: %w", f.Name, err)
		}
		tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tangle-tmp")
		if err := root.WriteFile(tmp, f.Data, os.FileMode(f.Mode)); err != nil {
			return fmt.Errorf("tangle: %s: %w", f.Name, err)
		}
		if err := root.Chmod(tmp, os.FileMode(f.Mode)); err != nil {
			root.Remove(tmp)
			return fmt.Errorf("tangle: %s: %w", f.Name, err)
		}
		if err := root.Rename(tmp, name); err != nil {
			root.Remove(tmp)
			return fmt.Errorf("tangle: %s: %w", f.Name, err)
		}
	}
	return nil
}
