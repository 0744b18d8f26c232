package runner

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/labrun/labrun/lessons"
)

// writeCellFile writes a file cell's file into dir and says whether it
// existed before (for %%writefile's "Overwriting"). It writes through an
// os.Root, so a symbolic link a step planted cannot lead the write out of
// the work dir.
func writeCellFile(dir string, c *lessons.Cell) (existed bool, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return false, fmt.Errorf("write %s: %w", c.File.Name, err)
	}
	defer root.Close()
	name := filepath.FromSlash(c.File.Name)
	if _, err := root.Lstat(name); err == nil {
		existed = true
	}
	if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return existed, fmt.Errorf("write %s: %w", c.File.Name, err)
	}
	if err := root.WriteFile(name, lessons.FileBytes(c), 0o644); err != nil {
		return existed, fmt.Errorf("write %s: %w", c.File.Name, err)
	}
	return existed, nil
}
