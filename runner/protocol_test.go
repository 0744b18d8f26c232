package runner

import (
	"bufio"
	"context"
	"errors"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/transcript"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkerProtocolDecode: what the worker sends is checked op by op:
// unknown ops, unknown or missing fields and bad values are protocol
// errors that quote the line.
func TestWorkerProtocolDecode(t *testing.T) {
	good := []string{
		`{"op":"ready","seq":0}`,
		`{"op":"stream","seq":3,"name":"stderr","text":"x"}`,
		`{"op":"error","seq":1,"ename":"E","evalue":"","traceback":"t","fails":true}`,
		`{"op":"bg_close","seq":4,"id":1,"timeout":3}`,
	}
	for _, line := range good {
		if _, err := decodeFromWorker([]byte(line)); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
	bad := map[string]string{
		`{"op":"bogus","seq":1}`:                                `unknown op "bogus"`,
		`not json`:                                              `not a message`,
		`{"op":"done","seq":1,"ok":true}`:                       `unknown field "ok"`,
		`{"op":"stream","seq":1,"name":"stdout"}`:               `without "text"`,
		`{"op":"stream","seq":1,"name":"tty","text":""}`:        `neither stdout nor stderr`,
		`{"op":"display","seq":1,"mime":"image/png","data":""}`: `unknown type "image/png"`,
		`{"op":"bg_start","seq":1,"cmd":"x","style":"nohup"}`:   `unknown style "nohup"`,
		`{"op":"run","seq":1,"cell":0,"code":""}`:               `unknown op "run"`, // labrun's op
	}
	for line, want := range bad {
		_, err := decodeFromWorker([]byte(line))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "got: "+line) {
			t.Errorf("%s: error %v, want one saying %q and quoting the line", line, err, want)
		}
	}
}

// TestWorkerProtocolSequence: while a request runs, only its events, the
// worker's new requests and its final answer with its seq may arrive.
func TestWorkerProtocolSequence(t *testing.T) {
	run := exchange{seq: 5, final: opDone}
	ok := []workerMessage{
		&streamMsg{header: header{Seq: 5}, Name: "stdout"},
		&systemReq{header: header{Seq: 8}},
		&doneMsg{header: header{Seq: 5}},
	}
	for _, m := range ok {
		if err := run.check(m, 7); err != nil {
			t.Errorf("%s: %v", m.op(), err)
		}
	}
	bad := map[workerMessage]string{
		&doneMsg{header: header{Seq: 4}}:       "stale done",
		&streamMsg{header: header{Seq: 4}}:     "stream for request 4",
		&expandedMsg{header: header{Seq: 5}}:   "expanded while a done was awaited",
		&readyMsg{}:                            "unexpected ready",
		&getoutputReq{header: header{Seq: 7}}:  "getoutput request 7 after request 7",
		&bgTerminateAllReq{header{Seq: 3}}:     "after request 7",
		&expandedMsg{header: header{Seq: 400}}: "while a done was awaited",
	}
	for m, want := range bad {
		if err := run.check(m, 7); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s #%d: error %v, want %q", m.op(), m.head().Seq, err, want)
		}
	}
}

// TestWorkerProtocolRejects: a worker that sends a stale reply or a
// message of an unknown op fails its cell with an error naming what
// arrived, and is replaced; a stale or unexpected answer from labrun
// fails the cell on the worker's side.
func TestWorkerProtocolRejects(t *testing.T) {
	md := fence("x = 1") + "\n" +
		fence("import __main__ as w\nw._send('done', w._seq - 1)") + "\n" +
		fence("print('x' in dir())") + "\n" +
		fence("import __main__ as w\nw._OUT.write('{\"op\":\"bogus\",\"seq\":1}\\n'); w._OUT.flush()") + "\n" +
		fence("import __main__ as w, io\nsaved = w._IN\ntry:\n    w._IN = io.StringIO('{\"op\":\"status\",\"seq\":7,\"status\":0,\"stderr_shown\":false}\\n')\n    w._await_answer('system', 8)\nfinally:\n    w._IN = saved") + "\n" +
		fence("import __main__ as w, io\nsaved = w._IN\ntry:\n    w._IN = io.StringIO('{\"op\":\"output\",\"seq\":8,\"output\":\"\"}\\n')\n    w._await_answer('system', 8)\nfinally:\n    w._IN = saved") + "\n" +
		fence("print('still here')")
	res := runLesson(t, md, Options{})
	notes := func(i int) string {
		if w := res.Cells[i].WorkerLost; w != nil {
			return w.Err
		}
		return ""
	}
	if cr := res.Cells[1]; cr.Status != transcript.Failed || !strings.Contains(notes(1), "stale done") || !strings.Contains(notes(1), `got: {"op": "done"`) {
		t.Errorf("stale done: status %d, notes %q", cr.Status, notes(1))
	}
	if got := streams(res.Cells[2]); got != "False\n" {
		t.Errorf("after a protocol error the worker starts afresh: %q", got)
	}
	if cr := res.Cells[3]; cr.Status != transcript.Failed || !strings.Contains(notes(3), `unknown op "bogus"`) {
		t.Errorf("unknown op: status %d, notes %q", cr.Status, notes(3))
	}
	for _, i := range []int{4, 5} {
		cr := res.Cells[i]
		errs := strings.Join(outputsOf(cr, transcript.Error), "")
		if cr.Status != transcript.Failed || !strings.Contains(errs, "ProtocolError: labrun answered system #8 with") {
			t.Errorf("cell %d: a bad answer to the worker: status %d\n%s", i, cr.Status, dump(cr))
		}
	}
	if got := streams(res.Cells[6]); got != "still here\n" {
		t.Errorf("the worker goes on after rejecting an answer: %q", got)
	}
}

// TestWorkerStartupBounded: a python3 that never finishes starting (here
// a sitecustomize that sleeps) fails the run after proc.InterpreterStart with
// an error saying so, and labrun interrupted meanwhile stops waiting at
// once, the cell interrupted.
func TestWorkerStartupBounded(t *testing.T) {
	need(t, "python3", "sh", "bash")
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "sitecustomize.py"), []byte("import time\ntime.sleep(1000)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYTHONPATH", site)
	l := parseLesson(t, fence("print('never')"))

	t.Run("timeout", func(t *testing.T) {
		_, err := Run(context.Background(), l, t.TempDir(), Options{})
		if err == nil || !strings.Contains(err.Error(), "python3 worker did not start within "+proc.InterpreterStart.String()) {
			t.Errorf("Run: %v, want the start-up bound", err)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		res, err := Run(ctx, l, t.TempDir(), Options{})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if cr := res.Cells[0]; cr.Status != transcript.Interrupted || !res.Interrupted {
			t.Errorf("cell %d, run interrupted %v\n%s", cr.Status, res.Interrupted, dump(cr))
		}
	})
}

// TestWorkerAbandonedAnswer: a KeyboardInterrupt while the worker awaits
// labrun's answer to !cmd ends the cell; the answer, sent once the step
// is over, is set aside by the worker, which serves the next cell.
func TestWorkerAbandonedAnswer(t *testing.T) {
	md := fence("import signal\n"+
		"def interrupt(*args):\n    raise KeyboardInterrupt\n"+
		"signal.signal(signal.SIGALRM, interrupt)\n"+
		"signal.setitimer(signal.ITIMER_REAL, 0.2)\n"+
		"!sleep 1") + "\n" +
		fence("print('next')")
	res := runLesson(t, md, Options{})
	if cr := res.Cells[0]; cr.Status != transcript.Failed || !strings.Contains(strings.Join(outputsOf(cr, transcript.Error), ""), "KeyboardInterrupt") {
		t.Errorf("cell 0: want a KeyboardInterrupt\n%s", dump(cr))
	}
	if cr := res.Cells[1]; cr.Status != transcript.OK || streams(cr) != "next\n" || outcome(cr) != "" {
		t.Errorf("cell 1: want the same worker to print next\n%s", dump(cr))
	}
}

// TestWorkerLineBound: a line from the worker longer than maxWorkerLine
// is a protocol error, read no further than the bound.
func TestWorkerLineBound(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader(`{"op":"done","seq":1}`+"\n"+strings.Repeat("a", maxWorkerLine+10)+"\n"), 1<<16)
	if line, err := readLine(r); err != nil || string(line) != `{"op":"done","seq":1}`+"\n" {
		t.Fatalf("readLine = %q, %v", line, err)
	}
	_, err := readLine(r)
	var perr *protocolError
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "a line longer than 64 MiB; got: aaa") {
		t.Errorf("readLine of a long line: %v", err)
	}
}
