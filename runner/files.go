package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/lessons"
)

// fileBytes returns what a file cell writes, byte for byte as the course's
// save_file magic wrote it: a first line "<comment> %%cpp ARGS"; the body
// given a final newline if it lacks one, split on newlines, each piece
// written followed by a newline (so the file ends with an empty line);
// every %-line written as "<comment> <line>"; with --ejudge-style trailing
// spaces stripped and "<comment> line without \n" at the end. %%makefile
// turns every run of four spaces into a tab first. Verbatim files (and
// %%writefile) get the body with a final newline, as IPython wrote it.
func fileBytes(fs *lessons.FileSpec, body string) []byte {
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	if fs.Verbatim {
		return []byte(body)
	}
	if fs.Tabs {
		body = strings.ReplaceAll(body, "    ", "\t")
	}
	var b strings.Builder
	b.WriteString(fs.Comment + " %%cpp " + fs.Header + "\n")
	for _, line := range strings.Split(body, "\n") {
		w := line
		if fs.EjudgeStyle {
			w = strings.TrimRight(line, " \t\r\f\v")
		}
		if strings.HasPrefix(line, "%") {
			b.WriteString(fs.Comment + " ")
		}
		b.WriteString(w + "\n")
	}
	if fs.EjudgeStyle {
		b.WriteString(fs.Comment + ` line without \n`)
	}
	return []byte(b.String())
}

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
	if err := root.WriteFile(name, fileBytes(c.File, c.Body), 0o644); err != nil {
		return existed, fmt.Errorf("write %s: %w", c.File.Name, err)
	}
	return existed, nil
}
