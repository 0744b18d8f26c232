package runner

import (
	"path/filepath"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
)

// What a native fence's attributes (lessons.Attrs) change in how its
// steps run: where (cwd=), with what environment (env=), on what input
// (stdin=), under a pty or not (pty, no-pty); whether the cell runs at
// all (skip); how it is expected to end (expect=).

// Unexpected says a cell did not end as its fence expected.
type Unexpected struct {
	// Want is the expectation (exit:0 when the fence states none).
	Want lessons.Expect
	// Ending is how the cell ended.
	Ending
}

// Ending is how a cell ended, as an expectation (lessons.Expect) reads
// it: interrupted, failed (an exception, a lost worker, a wait before it
// or a file it could not write), or else by itself with the exit status
// of its last step (0 when it ran none), as a shell script's status is
// its last command's.
type Ending struct {
	Interrupted, Failed bool
	Exit                Exit
}

// Meets says whether the ending is what want expects. It is the one
// meaning of expect, a fence's expect= (checked as the cell runs) and a
// check rule's expect (checked by labrun check) alike.
func (e Ending) Meets(want lessons.Expect) bool {
	switch want.Kind {
	case lessons.ExpectInterrupted:
		return e.Interrupted
	case lessons.ExpectFail:
		return !e.Interrupted && (e.Failed || e.Exit.Code != 0)
	}
	return !e.Interrupted && !e.Failed && e.Exit.Code == want.Code
}

// Ending returns how the cell ended, leaving out the failure its fence's
// expectation made of it (Unexpected).
func (cr *CellResult) Ending() Ending {
	if u := cr.Unexpected; u != nil {
		e := u.Ending
		e.Interrupted = e.Interrupted || cr.Status == Interrupted
		return e
	}
	return Ending{Interrupted: cr.Status == Interrupted,
		Failed: cr.Status == Failed || cr.Exception != nil || cr.WorkerLost != nil, Exit: cr.Exit}
}

// cellDir is the folder cell c's steps run in.
func (r *run) cellDir(c *lessons.Cell) string {
	if c != nil && c.Attrs != nil && c.Attrs.Cwd != "" {
		return filepath.Join(r.dir, filepath.FromSlash(c.Attrs.Cwd))
	}
	return r.dir
}

// cellEnv is the environment of cell c's steps.
func (r *run) cellEnv(c *lessons.Cell) []string {
	if c == nil || c.Attrs == nil || len(c.Attrs.Env) == 0 {
		return r.env
	}
	return append(append([]string(nil), r.env...), c.Attrs.Env...)
}

// shellSpec is how a shell command of cell c runs: under a pty as
// IPython's system() did, or, when the fence says no-pty or gives
// stdin=, through pipes with stderr merged.
func (r *run) shellSpec(cmd string, c *lessons.Cell) proc.StepSpec {
	// IPython's system() ran it through pexpect, SIGPIPE ignored as the
	// kernel had it (see proc.StepSpec.IgnorePipe).
	spec := proc.StepSpec{Path: r.sh, Args: []string{r.sh, "-c", cmd}, Pty: true, IgnorePipe: true}
	if a := nativeAttrs(c); a != nil && (a.Stdin != nil || (a.Pty != nil && !*a.Pty)) {
		spec.Pty, spec.Merge = false, true
		spec.Stdin = []byte{}
		if a.Stdin != nil {
			spec.Stdin = []byte(*a.Stdin)
		}
	}
	return spec
}

// nativeAttrs is cell c's fence attributes, nil when it has none (a
// course dialect cell) or there is no cell.
func nativeAttrs(c *lessons.Cell) *lessons.Attrs {
	if c == nil {
		return nil
	}
	return c.Attrs
}

// checkExpect compares how a native cell ended with what its fence
// expects (Ending.Meets); a mismatch fails the cell.
func (r *run) checkExpect(c *lessons.Cell, cr *CellResult) {
	if c.Attrs == nil || cr.Status == Skipped || (c.Kind == lessons.Console && c.Attrs.Expect == nil) ||
		c.Kind == lessons.Background || cr.Directive != nil {
		return
	}
	want := lessons.Expect{}
	if c.Attrs.Expect != nil {
		want = *c.Attrs.Expect
	}
	if got := cr.Ending(); !got.Meets(want) {
		cr.Unexpected = &Unexpected{Want: want, Ending: got}
		if cr.Status == OK {
			cr.Status = Failed
		}
	}
}

// skipped reports whether the fence says skip, marking the result.
func skipped(c *lessons.Cell, cr *CellResult) bool {
	if c.Attrs == nil || !c.Attrs.Skip {
		return false
	}
	cr.Status, cr.Skip = Skipped, MarkedSkip
	return true
}
