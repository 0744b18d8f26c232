package check

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fatih/color"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/runner"
)

// The live view's timings and looks.
const (
	// liveTick is how often the view redraws (the spinner's pace).
	liveTick = 100 * time.Millisecond
	// defaultWidth is the terminal width when it cannot be learnt.
	defaultWidth = 80
)

// spinner are the spinner's frames.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Live is the view of a check in progress on a terminal: a line of
// counts (✓ passed and ✗ failed cells of the lessons done, lessons done),
// then one line per running lesson (spinner, lesson, current cell, its
// command, elapsed time), redrawn in place. What else is printed goes
// through Finished or Print, which clear the view first. A Live for a
// writer that is no terminal draws nothing: Print just prints.
type Live struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	width   func() int
	running []*liveLesson
	drawn   int // lines drawn last time
	frame   int
	totals  Totals
	done    int
	total   int
	stop    chan struct{}
	stopped chan struct{}
}

type liveLesson struct {
	path  string
	cells []*lessons.Cell
	next  int // index of the cell running
	start time.Time
}

// NewLive starts a view of a check of total lessons on w; tty says w is
// a terminal (nothing is drawn otherwise); width gives its width.
func NewLive(w io.Writer, tty bool, total int, width func() int) *Live {
	v := &Live{w: w, tty: tty, width: width, total: total, stop: make(chan struct{}), stopped: make(chan struct{})}
	if !tty {
		close(v.stopped)
		return v
	}
	go func() {
		defer close(v.stopped)
		t := time.NewTicker(liveTick)
		defer t.Stop()
		for {
			select {
			case <-v.stop:
				return
			case <-t.C:
				v.mu.Lock()
				v.frame++
				v.redraw()
				v.mu.Unlock()
			}
		}
	}()
	return v
}

// Started shows a lesson as running.
func (v *Live) Started(path string, l *lessons.Lesson) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.running = append(v.running, &liveLesson{path: path, cells: l.Cells, start: time.Now()})
	v.redraw()
}

// CellDone moves a running lesson on to its next cell.
func (v *Live) CellDone(path string, cr *runner.CellResult) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, r := range v.running {
		if r.path == path {
			r.next = cr.Cell.Index + 1
		}
	}
}

// Finished removes a lesson from the running ones, counts its verdicts
// (r may be nil) and calls print to print its report in the view's
// place.
func (v *Live) Finished(path string, r *Report, print func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, l := range v.running {
		if l.path == path {
			v.running = append(v.running[:i], v.running[i+1:]...)
			break
		}
	}
	if r != nil {
		v.totals.Add(r)
	}
	v.done++
	v.clear()
	print()
	v.redraw()
}

// Print calls print to print in the view's place.
func (v *Live) Print(print func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clear()
	print()
	v.redraw()
}

// Stop stops redrawing and clears the view.
func (v *Live) Stop() {
	if v.tty {
		close(v.stop)
	}
	<-v.stopped
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clear()
	v.tty = false
}

// clear erases the lines drawn last.
func (v *Live) clear() {
	if !v.tty || v.drawn == 0 {
		return
	}
	fmt.Fprintf(v.w, "\x1b[%dA\r\x1b[J", v.drawn)
	v.drawn = 0
}

// redraw draws the view again in place.
func (v *Live) redraw() {
	if !v.tty {
		return
	}
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn)
	}
	width := defaultWidth
	if v.width != nil {
		if w := v.width(); w > 0 {
			width = w
		}
	}
	lines := []string{fmt.Sprintf("%s %d  %s %d  lessons %d/%d", color.GreenString("✓"), v.totals.Passed,
		color.RedString("✗"), v.totals.Failed, v.done, v.total)}
	for _, r := range v.running {
		cmd := ""
		if r.next < len(r.cells) {
			cmd = firstLine(r.cells[r.next].Body)
		}
		head := fmt.Sprintf("%s %s  cell %d/%d  %.1fs  ", color.CyanString(spinner[v.frame%len(spinner)]), r.path,
			min(r.next+1, len(r.cells)), len(r.cells), time.Since(r.start).Seconds())
		lines = append(lines, head+cut(cmd, width-1-visible(head)))
	}
	for _, l := range lines {
		b.WriteString("\r\x1b[2K" + l + "\n")
	}
	if v.drawn > len(lines) {
		b.WriteString("\x1b[J") // fewer lines than before: erase the rest
	}
	v.drawn = len(lines)
	io.WriteString(v.w, b.String())
}

// firstLine is a text's first line that is not blank, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// cut shortens s to n runes, marking the cut with "…".
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// visible counts the runes of s a terminal shows (colour codes not).
func visible(s string) int {
	return utf8.RuneCountInString(ansi.ReplaceAllString(s, ""))
}
