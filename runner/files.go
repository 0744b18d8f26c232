package runner

// File cells: a cell that writes a file into the work dir (%%writefile,
// the course's %%cpp and kin, a native fence with file=) and runs the
// %run lines it holds; and the file of a script or Python cell that also
// runs its body (```sh run file=x.sh).

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

// writeCellFile writes a file cell's file into the work dir and says
// whether it existed before (for %%writefile's "Overwriting"). It writes
// through an os.Root, so a symbolic link a step planted cannot lead the
// write out of the work dir, and only to a regular file of one link
// (writeInPlace: not through a FIFO, a device or a hard link a step
// planted); in place, it never overwrites the lesson
// itself. Its errors name the line of the cell that gives the file name
// and say what was refused and why.
func (r *run) writeCellFile(c *lessons.Cell) (existed bool, err error) {
	name := filepath.FromSlash(c.File.Name)
	label, at := "file=", c.Line
	if c.Magic != "" {
		label, at = "%%"+c.Magic+" ", c.Line+1
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s%s: "+format, append([]any{r.lesson.Name, at, label, c.File.Name}, args...)...)
	}
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return false, fail("cannot write it: %w", err)
	}
	defer root.Close()
	if _, err := root.Lstat(name); err == nil {
		existed = true
	}
	if r.lessonFile != nil {
		if info, err := root.Stat(name); err == nil && os.SameFile(info, r.lessonFile) {
			return existed, fail("refused: that is the lesson itself (--in-place runs in the lesson's folder)")
		}
	}
	err = root.MkdirAll(filepath.Dir(name), 0o755)
	if err == nil {
		err = writeInPlace(root, name, c.FileContent())
	}
	if err != nil {
		var ref refusal
		if errors.As(err, &ref) {
			return existed, fail("refused: %s; labrun writes a cell's files inside the work dir only, as files", ref)
		}
		if link, target, ok := escapingLink(r.dir, name); ok {
			return existed, fail("refused: %s is a symbolic link to %s, out of the work dir; labrun writes a cell's files inside it only", filepath.ToSlash(link), target)
		}
		return existed, fail("cannot write it: %w", err)
	}
	return existed, nil
}

// refusal says why writeInPlace would not write a name.
type refusal string

func (r refusal) Error() string { return string(r) }

// writeInPlace writes data to name under root as %%writefile does, in
// place (a file that exists keeps its inode and mode), but only to a
// regular file with no other hard link: a step may have planted a FIFO
// at the name (opening it to write would wait for a reader for ever:
// it is opened non-blocking, and refused), a device, or a hard link to a
// file outside the work dir, which writing in place would change.
func writeInPlace(root *os.Root, name string, data []byte) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|syscall.O_NONBLOCK, 0o644)
	if errors.Is(err, syscall.ENXIO) {
		return refusal("it is a FIFO")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return refusal(fmt.Sprintf("it is no regular file (%s)", info.Mode().Type()))
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		return refusal(fmt.Sprintf("it has %d hard links, and one may be a file out of the work dir", st.Nlink))
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}

// escapingLink finds the first symbolic link on the way from dir to name
// (name itself included) that leads out of dir, and what it holds.
func escapingLink(dir, name string) (link, target string, ok bool) {
	top, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(filepath.Clean(name), string(filepath.Separator))
	for i := range parts {
		rel := filepath.Join(parts[:i+1]...)
		p := filepath.Join(dir, rel)
		info, err := os.Lstat(p)
		if err != nil {
			return "", "", false
		}
		if info.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(p)
		if err != nil {
			continue
		}
		to, err := filepath.EvalSymlinks(p)
		if err != nil { // a dangling link: where its text leads
			to = target
			if !filepath.IsAbs(to) {
				parent, _ := filepath.EvalSymlinks(filepath.Dir(p))
				to = filepath.Join(parent, target)
			}
		}
		if to != top && !strings.HasPrefix(to, top+string(filepath.Separator)) {
			return rel, target, true
		}
	}
	return "", "", false
}

// runWriteFileCell writes a %%writefile cell's file and says so as
// IPython did ("Writing a.c", "Overwriting a.c"); a file it cannot write
// fails the cell.
func (r *run) runWriteFileCell(c *lessons.Cell, cr *transcript.CellResult) error {
	existed, err := r.writeCellFile(c)
	if err != nil {
		cr.AddStream(transcript.Stderr, err.Error()+"\n")
		cr.Status = transcript.Failed
		return nil
	}
	verb := "Writing"
	if existed {
		verb = "Overwriting"
	}
	cr.AddStream(transcript.Stdout, verb+" "+c.File.Name+"\n")
	return nil
}

// writeBodyFile writes the file of a cell that also runs its body
// (```sh run file=x.sh) and says whether the body may run: a file it
// cannot write fails the cell, as in a file cell.
func (r *run) writeBodyFile(cell *cellRun) bool {
	c, cr := cell.c, cell.res
	if c.File == nil || c.File.Name == "" {
		return true
	}
	if _, err := r.writeCellFile(c); err != nil {
		cr.AddStream(transcript.Stderr, err.Error()+"\n")
		cr.Status = transcript.Failed
		return false
	}
	return true
}

// runFileCell writes the file, then runs its %run lines and shows its
// %MD lines, in order.
func (r *run) runFileCell(cell *cellRun) error {
	c, cr := cell.c, cell.res
	if c.File.Name != "" {
		if _, err := r.writeCellFile(c); err != nil {
			cr.AddStream(transcript.Stderr, err.Error()+"\n")
			cr.Status = transcript.Failed
			return nil
		}
	}
	for _, cmd := range c.File.Commands {
		switch cmd.Kind {
		case lessons.Markdown:
			cr.Add(transcript.Markdown, cmd.Text)
		case lessons.Comment:
			// set_up_magics' save_file: display(Markdown("\#\#\#\# `%s`"
			// % text)); the 2019 save_file showed nothing.
			if r.set.Magics != lessons.Magics2019 {
				cr.Add(transcript.Markdown, `\#\#\#\# `+"`"+cmd.Text+"`")
			}
		case lessons.Run:
			if done, err := r.runLine(cell, cmd.Text); done || err != nil {
				return err
			}
			if c.File.SpoilerThreshold > 0 {
				// A captured line goes on to the next command
				// without looking at ctx (an interrupted run's
				// later lines start and are interrupted at once).
				continue
			}
		}
		if r.ctx.Err() != nil {
			break
		}
	}
	return nil
}

// runLine runs one %run line of a file cell: "Run: `line`", then the line,
// expanded from the Python namespace, its output shown as the course's
// magic showed it (under a spoiler with --under-spoiler-threshold). done
// says the cell ends here (the expansion did not end, or the line could
// not start: the cell says why).
func (r *run) runLine(cell *cellRun, text string) (done bool, err error) {
	c, cr := cell.c, cell.res
	cr.Add(transcript.Markdown, "Run: `"+text+"`")
	line, ok, err := r.expand(cell, text)
	if err != nil || !ok {
		return true, err
	}
	if c.File.SpoilerThreshold > 0 {
		out, _, err := r.capture(cell, line, r.opts.OutputCap)
		if msg, ok := cellsFault(err); ok {
			cr.AddStream(transcript.Stderr, msg+"\n")
			cr.Status = transcript.Failed
			return true, nil
		} else if err != nil {
			return true, err
		}
		if html := spoiler(out, c.File.SpoilerThreshold); html != "" {
			cr.Add(transcript.HTML, html)
		}
		return false, nil
	}
	if _, err := r.system(cell, line, nil); err != nil {
		if msg, ok := cellsFault(err); ok {
			cr.AddStream(transcript.Stderr, msg+"\n")
			cr.Status = transcript.Failed
			return true, nil
		}
		return true, err
	}
	return false, nil
}

// pyEscape escapes text as Python's html.escape does.
var pyEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// spoiler lays out a %run output as the course did with
// --under-spoiler-threshold: in <pre><code>, under <details> when longer
// than threshold lines.
func spoiler(out string, threshold int) string {
	out = strings.TrimSuffix(out, "\n")
	out = pyEscape.Replace(out)
	switch {
	case len(strings.Split(out, "\n")) > threshold:
		return "<details> <summary> output </summary> <pre><code>" + out + "</code></pre></details>"
	case out != "":
		return "<pre><code>" + out + "</code></pre>"
	}
	return ""
}
