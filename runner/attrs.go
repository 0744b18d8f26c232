package runner

import (
	"path/filepath"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// What a native fence's attributes (lessons.Attrs) change in how its
// steps run: where (cwd=), with what environment (env=), on what input
// (stdin=), under a pty or not (pty, no-pty); whether the cell runs at
// all (skip); how it is expected to end (expect=).

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
// expects (transcript.Ending.Meets); a mismatch fails the cell.
func (r *run) checkExpect(c *lessons.Cell, cr *transcript.CellResult) {
	if c.Attrs == nil || cr.Status == transcript.Skipped || (c.Kind == lessons.Console && c.Attrs.Expect == nil) ||
		c.Kind == lessons.Background || cr.Directive != nil {
		return
	}
	want := lessons.Expect{}
	if c.Attrs.Expect != nil {
		want = *c.Attrs.Expect
	}
	if got := cr.Ending(); !got.Meets(want) {
		cr.Unexpected = &transcript.Unexpected{Want: want, Ending: got}
		if cr.Status == transcript.OK {
			cr.Status = transcript.Failed
		}
	}
}

// skipped reports whether the fence says skip, marking the result.
func skipped(c *lessons.Cell, cr *transcript.CellResult) bool {
	if c.Attrs == nil || !c.Attrs.Skip {
		return false
	}
	cr.Status, cr.Skip = transcript.Skipped, transcript.MarkedSkip
	return true
}
