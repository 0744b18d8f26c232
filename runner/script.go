package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
	"golang.org/x/sys/unix"
)

// Script cells (%%bash, %%sh, a native sh or bash fence): the body runs
// in one shell step. The script magics (%%bash, %%sh) show what a cell's pipes delivered in
// one of two ways, by IPython version. Neither leaves it to ipykernel's
// OutStream flush schedule (iostream.py: OutStream.write,
// _schedule_flush, flush_interval = 0.2), which decides the order of a
// Python cell's prints (the worker's _Stream): both call
// sys.stdout.flush() or sys.stderr.flush() right after each write, and
// OutStream.flush, called from a thread other than ipykernel's IO thread
// (IPython 8's asyncio thread, or IPython 7's main thread), sends the
// stream's buffer at once and waits until it is sent. So the order is the
// order of those writes, and no 0.2 s window ever holds a line back.

// runScriptCell feeds the body to bash or sh on stdin through pipes, as
// IPython's %%bash and %%sh did, stdout and stderr kept apart and shown
// as the course's IPython showed them (scriptOutput).
func (r *run) runScriptCell(cell *cellRun) error {
	c := cell.c
	path, err := exec.LookPath(c.Shell)
	if err != nil {
		return fmt.Errorf("%w: %s is not in PATH", ErrNoProgram, c.Shell)
	}
	out, err := r.step(cell, scriptSpec(path, c), stepOpts{})
	if err != nil {
		return err
	}
	chunks := scriptOutput(out.Chunks, r.set.IPython)
	if out.Interrupted != nil && c.Attrs == nil {
		chunks = scriptInterrupted(chunks, out.Exit, r.set.IPython)
	}
	for _, ch := range chunks {
		cell.res.AddStream(transcript.StreamNamed(ch.Stream), cleanText(ch.Data, false))
	}
	if c.Magic == "" || out.Interrupted != nil || !time.Now().Before(cell.deadline) {
		return nil // a native fence, or a script IPython's magic returned from
	}
	return r.scriptMagicDone(cell, out.Exit)
}

// scriptRaises says whether the script magic of the configured IPython
// raises CalledProcessError for a script cell that exited other than 0:
// IPython 8's does unless its line says --no-raise-error
// (IPython/core/magics/script.py, script_args: store_false into
// raise_error); IPython 7's only when it says --raise-error (the course's
// recordings, made under 7, show no CalledProcessError after a failing
// script).
func scriptRaises(c *lessons.Cell, ipython string) bool {
	if ipython == config.IPython7 {
		return c.HasScriptOption("--raise-error")
	}
	return !c.HasScriptOption("--no-raise-error")
}

// scriptMagicDone hands a script cell that ran to the lesson's worker, as
// IPython took it (the "magic" request): stored in the history, and the
// script magic's CalledProcessError raised for an exit status other
// than 0 where it raises (scriptRaises). The worker is started for a
// cell that raises (its traceback is the worker's to write), else only
// told when it is up or starting (a lesson without Python has no history
// to keep).
func (r *run) scriptMagicDone(cell *cellRun, exit proc.Exit) error {
	status := exit.Code
	if exit.Signal != 0 {
		status = -int(exit.Signal) // as asyncio's returncode
	}
	raise := status != 0 && scriptRaises(cell.c, r.set.IPython)
	if !raise && (r.py == nil || r.py.dead) && r.pyEarly == nil {
		return nil
	}
	w, ok, err := r.workerFor(cell)
	if errors.Is(err, ErrNoPython) {
		// No Python to keep a history or write the traceback: the cell
		// fails as the exception would fail it.
		if raise {
			cell.res.AddStream(transcript.Stderr, fmt.Sprintf("labrun: %v: the CalledProcessError IPython raises here is not shown\n", err))
			cell.res.Status = transcript.Failed
			cell.res.Exception = &transcript.Exception{Name: "CalledProcessError", Message: fmt.Sprintf("exit status %d", status)}
		}
		return nil
	}
	if !ok {
		return err
	}
	w.seq++
	req := &magicReq{header: header{Seq: w.seq}, Cell: cell.c.Index, Code: cell.c.Source, Status: status, Raise: raise}
	_, err = r.converse(cell, w, req)
	return err
}

// scriptSpec is how a script cell's body runs: fed to its shell on stdin
// through pipes as %%bash did; under a pty (pty) or with stdin= the body
// is the shell's -c argument instead.
func scriptSpec(path string, c *lessons.Cell) proc.StepSpec {
	spec := proc.StepSpec{Path: path, Args: []string{c.Shell}, Stdin: []byte(c.Body + "\n")}
	a := nativeAttrs(c)
	switch {
	case a == nil:
	case a.Pty != nil && *a.Pty:
		spec = proc.StepSpec{Path: path, Args: []string{c.Shell, "-c", c.Body, c.Shell}, Pty: true}
	case a.Stdin != nil:
		spec = proc.StepSpec{Path: path, Args: []string{c.Shell, "-c", c.Body, c.Shell}, Stdin: []byte(*a.Stdin)}
	}
	return spec
}

// scriptOutput is what Jupyter shows of a %%bash or %%sh cell's output,
// given the order in which its pipes delivered it, under the IPython
// version ipython (config.IPython*; "" is IPython 8).
func scriptOutput(chunks []proc.Chunk, ipython string) []proc.Chunk {
	if ipython == config.IPython7 {
		return scriptWhole(chunks)
	}
	return scriptLines(chunks)
}

// scriptWhole is IPython 7's script magic (IPython/core/magics/script.py
// of IPython 7.20, ScriptMagics.shebang): out, err = p.communicate(cell)
// waits for both pipes to end and the shell to exit, then
// sys.stdout.write(out); sys.stdout.flush(); sys.stderr.write(err);
// sys.stderr.flush(). All of the stdout comes first, then all of the
// stderr, however the two were interleaved in time.
func scriptWhole(chunks []proc.Chunk) []proc.Chunk {
	var out []proc.Chunk
	for _, stream := range []string{"stdout", "stderr"} {
		var data []byte
		for _, ch := range chunks {
			if ch.Stream == stream {
				data = append(data, ch.Data...)
			}
		}
		if len(data) > 0 {
			out = append(out, proc.Chunk{Stream: stream, Data: data})
		}
	}
	return out
}

// scriptLines is IPython 8's script magic (IPython/core/magics/script.py,
// ScriptMagics.shebang, _handle_stream): it reads each pipe a line at a
// time (StreamReader.readline) and writes and flushes each line to
// sys.stdout or sys.stderr, so a stream's text shows only once its line
// is complete; a last line without a newline shows when the pipes close,
// stdout's first (its reading task starts first).
func scriptLines(chunks []proc.Chunk) []proc.Chunk {
	var out []proc.Chunk
	pending := map[string][]byte{}
	emit := func(stream string, data []byte) {
		if n := len(out); n > 0 && out[n-1].Stream == stream {
			out[n-1].Data = append(out[n-1].Data, data...)
			return
		}
		out = append(out, proc.Chunk{Stream: stream, Data: data})
	}
	for _, ch := range chunks {
		buf := append(pending[ch.Stream], ch.Data...)
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			emit(ch.Stream, append([]byte(nil), buf[:i+1]...))
			buf = buf[i+1:]
		}
		pending[ch.Stream] = append([]byte(nil), buf...)
	}
	for _, stream := range []string{"stdout", "stderr"} {
		if len(pending[stream]) > 0 {
			emit(stream, pending[stream])
		}
	}
	return out
}

// scriptInterrupted is what IPython's script magic shows of a %%bash or
// %%sh cell that Ctrl-C interrupted (IPython/core/magics/script.py,
// ScriptMagics.shebang, its "except KeyboardInterrupt" branch, the same in
// IPython 7.20 and 8.5): it sends SIGINT to the shell and, when the shell
// has ended 0.1 s later, prints "Process is interrupted." to stdout;
// otherwise it terminates, then kills it ("Process is terminated.",
// "Process is killed."). The cell itself does not fail. labrun's
// escalation is Ctrl-C, the grace, SIGKILL: a shell that ended within the
// grace was interrupted, one labrun had to kill was killed (labrun sends
// no SIGTERM, so "terminated" never shows). IPython 7 waited in
// communicate(), which the KeyboardInterrupt left without returning what
// it had read: only the message shows. IPython 8 streamed the lines read
// before it.
func scriptInterrupted(chunks []proc.Chunk, exit proc.Exit, ipython string) []proc.Chunk {
	msg := "Process is interrupted.\n"
	if exit.Signal == unix.SIGKILL {
		msg = "Process is killed.\n"
	}
	if ipython == config.IPython7 {
		chunks = nil
	}
	return append(chunks, proc.Chunk{Stream: "stdout", Data: []byte(msg)})
}
