package runner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/internal/config"
	"github.com/labrun/labrun/internal/proc"
	"golang.org/x/sys/unix"
)

// chunks builds the reads of a step's pipes, in the order labrun read
// them, from stream/text pairs ("out", "err").
func chunks(pairs ...string) []proc.Chunk {
	var cs []proc.Chunk
	for i := 0; i+1 < len(pairs); i += 2 {
		stream := map[string]string{"out": "stdout", "err": "stderr"}[pairs[i]]
		cs = append(cs, proc.Chunk{Stream: stream, Data: []byte(pairs[i+1])})
	}
	return cs
}

// TestScriptOutput pins both script-magic models on made-up pipe reads.
// IPython 7 (IPython/core/magics/script.py of 7.20, ScriptMagics.shebang:
// p.communicate, then sys.stdout.write(out), sys.stderr.write(err)) shows
// all of stdout, then all of stderr, whatever the order of the reads;
// IPython 8 (ScriptMagics.shebang, _handle_stream: readline, write,
// flush) shows each complete line in the order it was read, a partial
// line waiting for its newline or the pipes' end (stdout's first).
// ipykernel's 0.2 s flush_interval (iostream.py, OutStream._schedule_flush)
// never reorders them: each write is followed by OutStream.flush.
func TestScriptOutput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ipython string
		reads   []proc.Chunk
		want    []proc.Chunk
	}{
		{
			name:    "7: stderr read first ends up after stdout",
			ipython: config.IPython7,
			reads:   chunks("err", "e1\n", "out", "o1\n", "err", "e2\n", "out", "o2\n"),
			want:    chunks("out", "o1\no2\n", "err", "e1\ne2\n"),
		},
		{
			name:    "7: partial lines are kept whole",
			ipython: config.IPython7,
			reads:   chunks("out", "par", "err", "x", "out", "tial\nend", "err", "y\n"),
			want:    chunks("out", "partial\nend", "err", "xy\n"),
		},
		{
			name:    "7: stderr only",
			ipython: config.IPython7,
			reads:   chunks("err", "only\n"),
			want:    chunks("err", "only\n"),
		},
		{
			name:    "7: nothing",
			ipython: config.IPython7,
		},
		{
			name:  "8 (the default): lines in the order read",
			reads: chunks("err", "e1\n", "out", "o1\n", "err", "e2\n", "out", "o2\n"),
			want:  chunks("err", "e1\n", "out", "o1\n", "err", "e2\n", "out", "o2\n"),
		},
		{
			name:    "8: a partial line waits for its newline, the other stream goes ahead",
			ipython: config.IPython8,
			reads:   chunks("out", "par", "err", "e1\n", "out", "tial\n", "err", "e2\n"),
			want:    chunks("err", "e1\n", "out", "partial\n", "err", "e2\n"),
		},
		{
			name:    "8: last partial lines at the end, stdout's first",
			ipython: config.IPython8,
			reads:   chunks("err", "no newline err", "out", "no newline out"),
			want:    chunks("out", "no newline out", "err", "no newline err"),
		},
		{
			name:    "8: several lines of one read stay together",
			ipython: config.IPython8,
			reads:   chunks("out", "a\nb\nc", "err", "e\n", "out", "\n"),
			want:    chunks("out", "a\nb\n", "err", "e\n", "out", "c\n"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, scriptOutput(tc.reads, tc.ipython)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestScriptInterrupted: IPython's script magic's KeyboardInterrupt branch
// (IPython/core/magics/script.py, ScriptMagics.shebang): the message
// after the streamed lines (IPython 8), alone (IPython 7), "killed" when
// the shell had to be killed.
func TestScriptInterrupted(t *testing.T) {
	lines := []proc.Chunk{{Stream: "stdout", Data: []byte("before\n")}}
	for _, c := range []struct {
		ipython string
		exit    proc.Exit
		want    string
	}{
		{config.IPython8, proc.Exit{Code: 130, Signal: unix.SIGINT}, "before\nProcess is interrupted.\n"},
		{config.IPython8, proc.Exit{Code: 1}, "before\nProcess is interrupted.\n"},
		{config.IPython8, proc.Exit{Code: 137, Signal: unix.SIGKILL}, "before\nProcess is killed.\n"},
		{config.IPython7, proc.Exit{Code: 130, Signal: unix.SIGINT}, "Process is interrupted.\n"},
		{config.IPython7, proc.Exit{Code: 137, Signal: unix.SIGKILL}, "Process is killed.\n"},
	} {
		var got string
		for _, ch := range scriptInterrupted(append([]proc.Chunk(nil), lines...), c.exit, c.ipython) {
			if ch.Stream != "stdout" {
				t.Errorf("%s %v: chunk on %s", c.ipython, c.exit, ch.Stream)
			}
			got += string(ch.Data)
		}
		if got != c.want {
			t.Errorf("IPython %s, %v: got %q, want %q", c.ipython, c.exit, got, c.want)
		}
	}
}
