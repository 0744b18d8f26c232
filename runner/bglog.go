package runner

import (
	"bufio"

	"github.com/labrun/labrun/internal/proc"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A background step's log, as the course's launcher wrote it:
// "L | Process started. PID = N", "O | stdout line", "E | stderr line",
// "I | input line", "L | Process finished. Exit code N" (or "Got signal
// N"); for %bash_async, its STDOUT, STDERR and RUN LOG.

// maxLogLine is the longest line a background log holds; a longer one is
// logged in pieces of that size, so that labrun's memory stays bounded.
const maxLogLine = 64 * 1024

// read logs a stream of the step line by line.
func (s *bgStep) read(tag string, r io.ReadCloser) {
	defer r.Close()
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			s.output(tag, string(line))
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// maxLogBytes bounds what a background step's log keeps.
const maxLogBytes = 1 << 20

// A background step's output lines are logged in bursts, as the course's
// launcher did when it polled every 0.1 s: within a burst, stdout lines
// before stderr lines. A burst ends when both streams have been quiet for
// burstQuiet, or lasts at most burstMax. So lines a program writes
// together are logged in the same order on every run.
const (
	burstQuiet = 20 * time.Millisecond
	burstMax   = 100 * time.Millisecond
)

// output records a line of stream tag ("O" or "E") for the next burst.
func (s *bgStep) output(tag, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	s.lastOut = now
	select {
	case s.changed <- struct{}{}:
	default:
	}
	if len(s.pendingOut)+len(s.pendingErr) == 0 {
		s.burstStart = now
		select {
		case s.burst <- struct{}{}:
		default:
		}
	}
	if s.logBytes+s.pendingBytes+len(line) > maxLogBytes {
		s.cut = true
		return
	}
	s.pendingBytes += len(line)
	line = strings.ToValidUTF8(line, "\uFFFD")
	if tag == "O" {
		s.pendingOut = append(s.pendingOut, line)
	} else {
		s.pendingErr = append(s.pendingErr, line)
	}
}

// flushBurst logs the pending lines when their burst is over (or always,
// with force). The caller holds s.mu.
func (s *bgStep) flushBurst(force bool) {
	if len(s.pendingOut)+len(s.pendingErr) == 0 && (!s.cut || s.cutLogged) {
		return
	}
	now := time.Now()
	if !force && now.Sub(s.lastOut) < burstQuiet && now.Sub(s.burstStart) < burstMax {
		return
	}
	for _, l := range s.pendingOut {
		s.logOutput("O", l)
	}
	for _, l := range s.pendingErr {
		s.logOutput("E", l)
	}
	s.pendingOut, s.pendingErr, s.pendingBytes = s.pendingOut[:0], s.pendingErr[:0], 0
	if s.cut && !s.cutLogged {
		s.cutLogged = true
		s.log = append(s.log, "L | labrun: log cut at 1 MiB; later output dropped")
	}
}

// logOutput appends one output line to the log.
func (s *bgStep) logOutput(tag, line string) {
	s.logBytes += len(line)
	if tag == "O" {
		s.stdout.WriteString(line)
	} else {
		s.stderr.WriteString(line)
	}
	s.log = append(s.log, tag+" | "+strings.TrimRight(line, " \t\r\n"))
}

// flusher ends bursts as they go quiet, until the step's output ends. It
// sleeps while no burst is pending, and otherwise until the burst may be
// over: burstQuiet after its last line, or burstMax after its first.
func (s *bgStep) flusher() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	idle := true
	for {
		var tick <-chan time.Time
		if !idle {
			tick = timer.C
		}
		select {
		case <-s.eof:
			return
		case <-s.burst:
		case <-tick:
		}
		s.mu.Lock()
		s.flushBurst(false)
		idle = len(s.pendingOut)+len(s.pendingErr) == 0 && (!s.cut || s.cutLogged)
		if !idle {
			due := min(time.Until(s.lastOut.Add(burstQuiet)), time.Until(s.burstStart.Add(burstMax)))
			timer.Reset(max(due, time.Millisecond))
		}
		s.mu.Unlock()
	}
}

func (s *bgStep) logLine(tag, text string) {
	s.mu.Lock()
	s.flushBurst(true) // what the step printed before comes first
	s.log = append(s.log, tag+" | "+text)
	s.mu.Unlock()
}

// logInput logs what the lesson wrote to the step's stdin, line by line,
// within the log's budget as output is: a line longer than maxLogLine in
// pieces of at most that size (cut between characters), and nothing past
// maxLogBytes (the log then says it was cut). The caller does not hold
// s.mu.
func (s *bgStep) logInput(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushBurst(true) // what the step printed before comes first
	for _, line := range strings.SplitAfter(text, "\n") {
		for line != "" {
			n := min(len(line), maxLogLine)
			for n < len(line) && n > 1 && !utf8.RuneStart(line[n]) {
				n--
			}
			piece := line[:n]
			line = line[n:]
			if s.logBytes+len(piece) > maxLogBytes {
				s.cut = true
				continue
			}
			s.logBytes += len(piece)
			s.log = append(s.log, "I | "+strings.TrimRight(piece, " \t\r\n"))
		}
	}
	s.flushBurst(true) // says so, if the log was cut
}

// finishLogs writes each step's final log into the output of the cell
// that started it.
func (b *background) finishLogs() {
	for _, s := range b.steps {
		s.mu.Lock()
		var text string
		switch s.style {
		case styleLauncher:
			text = strings.Join(s.log, "\n")
		case styleBashAsync:
			code := 0
			if s.status != nil {
				code = proc.ExitOf(*s.status).Code
			}
			text = "STDOUT:\n" + s.stdout.String() + "STDERR:\n" + s.stderr.String() +
				"RUN LOG:\nProcess started! pid=" + strconv.Itoa(s.seenPid) + "\nProcess finished! exit_code=" + strconv.Itoa(code)
		}
		s.cell.Outputs[s.out].Text = text
		s.mu.Unlock()
	}
}
