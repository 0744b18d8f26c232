package runner

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/labrun/labrun/internal/proc"
)

// Scratch dirs are named after the labrun that made them (proc.Owner), so
// that what a killed labrun left can be told from what a running one
// uses; a work dir kept on purpose is named apart and never cleaned.
const (
	scratchPrefix = "labrun-"
	keptPrefix    = "labrun-kept-"
)

// scratchPattern is the os.MkdirTemp pattern of this labrun's scratch
// dirs.
func scratchPattern() string { return scratchPrefix + proc.Owner() + "-" }

// Cleaned is what CleanStale removed.
type Cleaned struct {
	proc.Stale
	// ScratchDirs is how many scratch dirs it removed.
	ScratchDirs int
}

// Any reports whether anything was cleaned.
func (c Cleaned) Any() bool { return c.Processes+c.Cgroups+c.ScratchDirs > 0 }

// CleanStale kills what is left of labrun runs whose labrun was killed
// (SIGKILL leaves it no chance to clean up) and removes their cgroups and
// the scratch dirs in os.TempDir() that they made; see proc.CleanStale
// for what cannot be found. Runs of labruns still running are left alone.
func CleanStale() Cleaned {
	c := Cleaned{Stale: proc.CleanStale()}
	tmp := os.TempDir()
	ents, _ := os.ReadDir(tmp)
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, keptPrefix) || !strings.HasPrefix(name, scratchPrefix) {
			continue
		}
		if proc.OwnerGone(strings.TrimPrefix(name, scratchPrefix)) && os.RemoveAll(filepath.Join(tmp, name)) == nil {
			c.ScratchDirs++
		}
	}
	return c
}

// keepWorkDir renames a scratch work dir that is to be kept after the run
// so that no later CleanStale takes it, and returns its new path (the old
// one where it cannot be renamed).
func keepWorkDir(dir string) string {
	name := filepath.Base(dir)
	if strings.HasPrefix(name, keptPrefix) {
		return dir
	}
	kept := filepath.Join(filepath.Dir(dir), keptPrefix+strings.TrimPrefix(name, scratchPattern()))
	if os.Rename(dir, kept) != nil {
		return dir
	}
	return kept
}

// scratch is a run's scratch work dir, which two may settle at once: the
// run's end (remove it, or keep it) and a second Ctrl-C (proc.KillAll
// runs remove, after its sweep, which may have let the run end first).
// remove always wins: the dir goes under whichever name it has.
type scratch struct {
	mu      sync.Mutex
	dir     string
	settled bool
}

// remove removes the dir, kept or not.
func (s *scratch) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settled = true
	os.RemoveAll(s.dir)
}

// keep keeps the dir under a name no CleanStale takes and returns its
// path, or "" when it was settled already.
func (s *scratch) keep() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settled {
		return ""
	}
	s.settled = true
	s.dir = keepWorkDir(s.dir)
	return s.dir
}
