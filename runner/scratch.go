package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/labrun/labrun/internal/proc"
)

// Every lesson run has a run dir of its own in the temp dir (proc.RunDir:
// named with the run's fixed-length tag, locked while the run lives, so
// that no other labrun's CleanStale takes it), laid out so that lessons
// side by side see nothing of each other:
//
//	labrun-TAG/             the run dir, mode 0777 &^ umask
//	labrun-TAG/lesson/work  the work dir: the scratch copy of the lesson
//	                        folder (not made --in-place); lesson/ holds
//	                        nothing else, so the work dir's .. shows only it
//	labrun-TAG/tmp/         the steps' TMPDIR
//	labrun-TAG/labrun/      labrun's own files (the Python worker's
//	                        script), mode 0700
//	labrun-TAG/slash-tmp/   under --sandbox, the steps' /tmp where the
//	                        kernel allows a private one (proc.Config's
//	                        PrivateTmp), mode 01777 as /tmp's
//
// The umask is the course's (labrun.toml), else labrun's: the dirs get
// the mode mkdir(2) gives; the copied files keep their own. A work dir
// kept (--keep, or to look into after labrun could not run a step) is
// moved out to labrun-kept-TAG in the temp dir, which CleanStale never
// removes; with --keep the run dir is named so from the start, so that
// the work dir of a labrun killed with SIGKILL is kept too.
const (
	workSubdir     = "lesson/work"
	tmpSubdir      = "tmp"
	privateSubdir  = "labrun"
	slashTmpSubdir = "slash-tmp"
)

// slashTmpMode is the private /tmp's mode, that of the machine's /tmp.
const slashTmpMode = os.ModeSticky | 0o777

// Cleaned is what CleanStale removed.
type Cleaned struct {
	proc.Stale
	// ScratchDirs is how many run dirs (scratch dirs) it removed.
	ScratchDirs int
}

// Any reports whether anything was cleaned.
func (c Cleaned) Any() bool { return c.Processes+c.Cgroups+c.ScratchDirs > 0 }

// Counts returns how many processes, cgroups and scratch dirs it removed
// (render.Cleaned words them).
func (c Cleaned) Counts() (processes, cgroups, scratchDirs int) {
	return c.Processes, c.Cgroups, c.ScratchDirs
}

// CleanStale kills what is left of labrun runs whose labrun was killed
// (SIGKILL leaves it no chance to clean up) and removes their cgroups and
// their run dirs in os.TempDir(), each only when the run is positively
// gone (proc.CleanStale says the rule). Runs of labruns still running, and
// those whose state cannot be told, are left alone.
func CleanStale() Cleaned {
	st := proc.CleanStale(os.TempDir())
	return Cleaned{Stale: st, ScratchDirs: st.Dirs}
}

// scratch is a run's run dir, which two may settle at once: the run's end
// (remove it, or keep it) and a second Ctrl-C (proc.KillAll runs killed,
// after its sweep, which may have let the run end first). remove always
// wins: the dir goes under whichever name it has.
type scratch struct {
	run     *proc.RunDir
	dirMode os.FileMode // what mkdir(2) gives under the run's umask
	keep    bool        // --keep: the work dir stays even when labrun is killed
	keepSub string      // what --keep keeps, in the run dir ("": workSubdir)
	mu      sync.Mutex
	settled bool
}

// newScratch makes the run's run dir, laid out as above, with the modes
// umask gives.
func newScratch(opts Options, umask *uint32) (*scratch, error) {
	mode := proc.DirMode(umask)
	run, err := proc.NewRunDir(os.TempDir(), mode, opts.Keep)
	if err != nil {
		return nil, err
	}
	s := &scratch{run: run, keep: opts.Keep, dirMode: mode}
	subdirs := []string{tmpSubdir, privateSubdir}
	if opts.Sandbox {
		subdirs = append(subdirs, slashTmpSubdir)
	}
	if !opts.InPlace {
		subdirs = append(subdirs, filepath.Dir(workSubdir), workSubdir)
	}
	for _, sub := range subdirs {
		m := mode
		switch sub {
		case privateSubdir:
			m = 0o700
		case slashTmpSubdir:
			m = slashTmpMode
		}
		p := filepath.Join(run.Path(), sub)
		if err := os.Mkdir(p, m); err == nil {
			err = os.Chmod(p, m) // mkdir applied labrun's own umask too
		}
		if err != nil {
			run.Remove()
			return nil, fmt.Errorf("make the run dir: %w", err)
		}
	}
	return s, nil
}

// work is the work dir of a scratch copy; tmp the steps' TMPDIR; private
// where labrun's own files go.
func (s *scratch) work() string    { return filepath.Join(s.run.Path(), workSubdir) }
func (s *scratch) tmp() string     { return filepath.Join(s.run.Path(), tmpSubdir) }
func (s *scratch) private() string { return filepath.Join(s.run.Path(), privateSubdir) }

// slashTmp is the folder of the private /tmp under --sandbox.
func (s *scratch) slashTmp() string { return filepath.Join(s.run.Path(), slashTmpSubdir) }

// remove removes the run dir, kept or not.
func (s *scratch) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settled = true
	s.run.Remove()
}

// killed is what a second Ctrl-C does to the run dir: it goes, but for
// a work dir kept on request, which is kept.
func (s *scratch) killed() {
	if s.keep {
		s.keepWork()
		return
	}
	s.remove()
}

// keepWork keeps the work dir under a name no CleanStale takes
// (labrun-kept-TAG in the temp dir; the rest of the run dir goes) and
// returns its path, or "" when the run dir was settled already.
func (s *scratch) keepWork() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settled {
		return ""
	}
	s.settled = true
	if s.keepSub != "" {
		return s.run.Keep(s.keepSub)
	}
	return s.run.Keep(workSubdir)
}
