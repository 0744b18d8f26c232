package check

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/labrun/labrun/internal/atomicfile"
)

// UpdateKind says what --update did to a lesson's file.
type UpdateKind int

// What --update did.
const (
	// UpdateNone: nothing (no --update, or nothing to rewrite).
	UpdateNone UpdateKind = iota
	// UpdateInterrupted: nothing, the lesson's run was interrupted.
	UpdateInterrupted
	// UpdateDryRun: --dry-run worked out the rewrite, in Diff.
	UpdateDryRun
	// UpdateWritten: the file was rewritten, mending Mended failing cells.
	UpdateWritten
	// UpdateFailed: the file could not be read or written (Err).
	UpdateFailed
)

// UpdateResult is what --update did to a lesson's file.
type UpdateResult struct {
	Kind UpdateKind
	// Mended counts the failing cells a rewrite mended (UpdateWritten).
	Mended int
	// Diff is the unified diff of the whole file, a/PATH → b/PATH, that
	// the rewrite would apply (UpdateDryRun).
	Diff string
	// Err is why the file could not be read or written (UpdateFailed).
	Err error
}

// rewrite rewrites a lesson's failing outputs atomically (temp file and
// rename, through a link to the file it leads to), only if the file is
// still what the check read; or, dry, works out the diff it would apply.
func rewrite(rep *Report, dry bool) UpdateResult {
	if rep.Result != nil && rep.Result.Interrupted {
		return UpdateResult{Kind: UpdateInterrupted}
	}
	text, changed := rep.Updated()
	if !changed {
		return UpdateResult{}
	}
	if dry {
		old, err := os.ReadFile(rep.Path)
		if err != nil {
			return UpdateResult{Kind: UpdateFailed, Err: err}
		}
		return UpdateResult{Kind: UpdateDryRun, Diff: UnifiedDiff("a/"+patchPath(rep.Path), "b/"+patchPath(rep.Path), splitKeep(string(old)), splitKeep(string(text)))}
	}
	// Only over the file as it was read: an edit saved meanwhile is kept.
	if err := atomicfile.WriteIfUnchanged(rep.Path, rep.snapshot, text); err != nil {
		return UpdateResult{Kind: UpdateFailed, Err: err}
	}
	_, f, _ := rep.Counts()
	return UpdateResult{Kind: UpdateWritten, Mended: f - rep.Unmendable()}
}

// splitKeep splits text into lines for a diff of a whole file.
func splitKeep(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// patchPath is a lesson's path as the dry run's diff names it: relative
// to the current folder and clean, so that "patch -p1" applies the diff
// there (a/c/l.md, not a/./c/l.md or a//abs/c/l.md). A lesson outside
// the current folder keeps its ../ path: no -p applies it from here.
func patchPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, abs); err == nil {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}
