package proc

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSinkWatch: a watched mark is seen once written, whole or split over
// writes, and not before; what the cap drops does not hide it.
func TestSinkWatch(t *testing.T) {
	mark := []byte("\x1elabrun-ab-1 ")
	for name, writes := range map[string][]string{
		"whole":      {"out\n\x1elabrun-ab-1 0\x1e\n"},
		"split":      {"out\n\x1elab", "run-a", "b-1 ", "0\x1e\n"},
		"byte apart": {"\x1e", "labrun-ab-1", " 0\x1e\n"},
		"past a cap": {string(make([]byte, 300)), "\x1elabrun-ab-1 0\x1e\n"},
	} {
		s := NewSink(64)
		seen := s.Watch(mark)
		written, want, got := "", -1, -1
		for i, w := range writes {
			s.Write("stdout", []byte(w))
			if written += w; want < 0 && strings.Contains(written, string(mark)) {
				want = i
			}
			select {
			case <-seen:
				if got < 0 {
					got = i
				}
			default:
			}
		}
		if got != want {
			t.Errorf("%s: seen at write %d, want %d (the write that completes it)", name, got, want)
		}
	}
	s := NewSink(0)
	seen := s.Watch(mark)
	s.Write("stdout", []byte("\x1elabrun-ab-2 0\x1e\n\x1elabrun-ab-"))
	select {
	case <-seen:
		t.Errorf("another job's mark, or part of this one, was taken for it")
	default:
	}
}

// TestCutMark: a job's output is what comes before its mark, its status
// what the mark holds, and the rest (a background job's output) is the
// next job's; the mark counts once its line end, \n or \r\n, is there.
func TestCutMark(t *testing.T) {
	job := Job{Mark: []byte("\x1elabrun-ab-1 "), MarkEnd: []byte("\x1e")}
	for _, tc := range []struct {
		text, out, status, rest string
		ok                      bool
	}{
		{"hi\n\x1elabrun-ab-1 3\x1e\r\nlate\n", "hi\n", "3", "late\n", true},
		{"hi\x1elabrun-ab-1 0\x1e\n", "hi", "0", "", true},
		{"hi\n\x1elabrun-ab-1 0\x1e\r", "", "", "", false},
		{"hi\n\x1elabrun-ab-1 0", "", "", "", false},
		{"hi\n", "", "", "", false},
	} {
		out, status, rest, ok := cutMark(tc.text, job)
		if out != tc.out || status != tc.status || rest != tc.rest || ok != tc.ok {
			t.Errorf("cutMark(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tc.text, out, status, rest, ok, tc.out, tc.status, tc.rest, tc.ok)
		}
	}
}

// TestBetweenJobs: a step blocked reading the file its jobs come from is
// between jobs, never stuck, whatever the wrapped check says; blocked
// reading another pipe (a job's cat) it is what the check says.
func TestBetweenJobs(t *testing.T) {
	dir := t.TempDir()
	fifo := dir + "/cmds"
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmds, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cmds.Close()
	other, err := os.OpenFile(dir+"/other", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	s := NewSession(Config{}, dir)
	defer s.Close()
	st, err := s.StartStep(StepSpec{Path: "/bin/sh", Args: []string{"sh", "-c", "read x < " + fifo}, OutputCap: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Kill()
	var in unix.Stat_t
	if err := unix.Fstat(int(cmds.Fd()), &in); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !readsFile(st.Pid, in) {
		if time.Now().After(deadline) {
			sc, _ := os.ReadFile("/proc/" + strconv.Itoa(st.Pid) + "/syscall")
			t.Fatalf("the step blocked reading the FIFO is not seen reading it: syscall %q", sc)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stuck := func() (string, bool, time.Duration) { return "anon_pipe_read", true, 0 }
	if where, ok, _ := st.betweenJobs(stuck, cmds)(); ok {
		t.Errorf("reading its commands' FIFO: stuck in %q, want between jobs", where)
	}
	if _, ok, _ := st.betweenJobs(stuck, other)(); !ok {
		t.Error("blocked on another file: the wrapped check's stuck was dropped")
	}
}
