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
	// Interrupted, Failed and Exit say how it ended: interrupted, failed
	// (an exception, a lost worker), or the first non-zero exit of its
	// steps (the last exit when all were 0).
	Interrupted, Failed bool
	Exit                Exit
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
// expects; a mismatch fails the cell.
func (r *run) checkExpect(c *lessons.Cell, cr *CellResult) {
	if c.Attrs == nil || cr.Status == Skipped || (c.Kind == lessons.Console && c.Attrs.Expect == nil) ||
		c.Kind == lessons.Background || cr.Directive != nil {
		return
	}
	want := lessons.Expect{}
	if c.Attrs.Expect != nil {
		want = *c.Attrs.Expect
	}
	got := Unexpected{Want: want, Interrupted: cr.Status == Interrupted,
		Failed: cr.Status == Failed || cr.Exception != nil || cr.WorkerLost != nil, Exit: cr.Exit}
	if cr.badExit != nil {
		got.Exit = *cr.badExit
	}
	var ok bool
	switch want.Kind {
	case lessons.ExpectInterrupted:
		ok = got.Interrupted
	case lessons.ExpectFail:
		ok = !got.Interrupted && (got.Failed || got.Exit.Code != 0)
	default:
		ok = !got.Interrupted && !got.Failed && got.Exit.Code == want.Code
	}
	if ok {
		return
	}
	cr.Unexpected = &got
	if cr.Status == OK {
		cr.Status = Failed
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
