package runner

// The worker protocol: how labrun and the lesson's Python worker
// (runner/worker/*.py, started by startWorker) talk.
//
// The worker starts no process itself: every shell command and background
// step is a request to labrun, which owns processes, timeouts and clean-up.
// Each message is one JSON object on one line: labrun writes to the
// worker's fd 3, the worker writes to its fd 4. Every message has "op"
// (its kind) and "seq" (a sequence id); every other field is listed below,
// always present, and nothing else may be (both sides reject unknown and
// missing fields). Direction: → is labrun to worker, ← worker to labrun.
//
//	op                dir  fields                       meaning
//	ready             ←    -                            start-up done (seq 0)
//	run               →    cell, code                   run a cell's source
//	expand            →    text                         interpolate {expr}, $name
//	magic             →    cell, code, status, raise    a cell magic labrun ran (a script
//	                                                    cell): store it in the history; raise:
//	                                                    raise the script magic's
//	                                                    CalledProcessError for exit status
//	                                                    status (-N: killed by signal N)
//	stream            ←    name, text                   stdout/stderr text of the request
//	display           ←    mime, data                   a displayed value
//	error             ←    ename, evalue, traceback,    the exception that ended the cell;
//	                       fails                        fails: it fails the cell; traceback
//	                                                    "": none shown (a UsageError, on stderr)
//	done              ←    -                            the run request is over
//	expanded          ←    text                         the expand request's answer
//	system            ←    cmd, stderr, stderr_due      !cmd: run it under a pty, show its output;
//	                                                    stderr: what sys.stderr held, due in
//	                                                    stderr_due seconds (heldStream)
//	getoutput         ←    cmd                          x = !cmd: run it, answer its output
//	bg_start          ←    cmd, style                   start a background step
//	bg_write          ←    id, data                     feed a background step's stdin
//	bg_close          ←    id, timeout                  close its stdin, wait, kill it
//	bg_terminate_all  ←    -                            kill every background step
//	status            →    status, stderr_shown         answer to system: exit status; whether
//	                                                    the held stderr was shown (else the
//	                                                    worker holds it again)
//	output            →    output                       answer to getoutput
//	started           →    id, pid, inq                 answer to bg_start
//	ok                →    -                            answer to bg_write, bg_close, bg_terminate_all
//	refused           →    error                        answer to any worker request that failed
//
// The worker runs as "python3 -u labrun_worker.py SHOWCAP IPYTHON PLACES" in the
// work dir; SHOWCAP is Options.OutputCap, the most bytes of a display or
// traceback the transcript shows (the worker cuts longer ones itself);
// IPYTHON is the IPython version whose tracebacks it writes ("8", "7");
// PLACES, as JSON, are that version's lines that warn of what the
// lesson's Python does (ipython.go, ipythonPlaces: an HTML <iframe>),
// which its warnings name. The error event's ename and
// evalue (the exception's name and message) are sent for the cell's typed
// outcome; labrun checks ename is there, and reads it otherwise only to
// show IPython's "To exit" warning after a SystemExit (ipython.go,
// exitWarned).
//
// Output: stream events carry what the cell's Python writes to sys.stdout
// and sys.stderr, buffered as ipykernel does, and what reaches the
// worker's fd 1 and 2 (os.write, C code, the lesson's own child
// processes): those are pipes the worker reads itself, taking in what they
// hold before each write and each event, so output keeps the order of its
// writes (worker/streams.py, _capture_fds). What the worker writes before it
// captures them, or as its last words, reaches labrun's pipe and is shown
// with the cell.
//
// Sequence ids: labrun numbers its requests (run, expand) 1, 2, 3...; every
// message the worker sends while it serves one (stream, display, error,
// done, expanded) carries that request's seq. The worker numbers its own
// requests (system ... bg_terminate_all) 1, 2, 3... and labrun's answer
// (status ... refused) echoes the seq of the request it answers. A message
// that is malformed, of an op not expected at that point, or whose seq is
// not the one awaited is a protocol error: labrun fails the cell with an
// error that shows what arrived and stops the worker (its state can no
// longer be trusted); the worker raises an exception that fails the cell,
// naming what arrived. Nothing is dropped silently; one answer is set
// aside on purpose: when a KeyboardInterrupt (SIGINT) reaches the worker
// while it awaits the answer to its request n, it gives up on n, ends the
// run (error, done) and discards the answer to n when that arrives.
//
// Every exchange is supervised: start-up within proc.InterpreterStart, a
// run and an expansion ({expr} in a %run line evaluates the lesson's
// Python) within the cell's current window by proc.Supervise: SIGINT
// (KeyboardInterrupt) and, past proc.InterpreterGrace plus the run's
// grace, SIGKILL.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
)

// Sizes of the worker protocol (its timings are in internal/proc/timings.go).
const (
	// maxCaptureBytes bounds the output x = !cmd captures as a value;
	// past it the cell fails. (What is shown is cut at Options.OutputCap.)
	maxCaptureBytes = 64 << 20
	// maxWorkerLine bounds one line from the worker, which cuts what it
	// displays to Options.OutputCap itself (worker/display.py, _cut): a longer
	// line is a protocol error, not a reason to run out of memory.
	maxWorkerLine = 64 << 20
	// maxShownLine bounds how much of a rejected message a protocol error
	// quotes.
	maxShownLine = 300
)

// Ops of the worker protocol, as in the table above.
const (
	opReady          = "ready"
	opRun            = "run"
	opExpand         = "expand"
	opMagic          = "magic"
	opStream         = "stream"
	opDisplay        = "display"
	opError          = "error"
	opDone           = "done"
	opExpanded       = "expanded"
	opSystem         = "system"
	opGetoutput      = "getoutput"
	opBgStart        = "bg_start"
	opBgWrite        = "bg_write"
	opBgClose        = "bg_close"
	opBgTerminateAll = "bg_terminate_all"
	opStatus         = "status"
	opOutput         = "output"
	opStarted        = "started"
	opOK             = "ok"
	opRefused        = "refused"
)

// header is what every message has.
type header struct {
	Op  string `json:"op"`
	Seq uint64 `json:"seq"`
}

func (h *header) head() *header { return h }

// workerMessage is one message of the protocol, of either direction: a
// pointer to one of the types below.
type workerMessage interface {
	head() *header
	// op is the message's op.
	op() string
	// validate checks the fields beyond their JSON types.
	validate() error
}

// Messages from the worker.
type (
	readyMsg  struct{ header }
	streamMsg struct {
		header
		Name string `json:"name"`
		Text string `json:"text"`
	}
	displayMsg struct {
		header
		Mime string `json:"mime"`
		Data string `json:"data"`
	}
	errorMsg struct {
		header
		Ename     string `json:"ename"`
		Evalue    string `json:"evalue"`
		Traceback string `json:"traceback"`
		Fails     bool   `json:"fails"`
	}
	doneMsg     struct{ header }
	expandedMsg struct {
		header
		Text string `json:"text"`
	}
	systemReq struct {
		header
		Cmd       string  `json:"cmd"`
		Stderr    string  `json:"stderr"`
		StderrDue float64 `json:"stderr_due"`
	}
	getoutputReq struct {
		header
		Cmd string `json:"cmd"`
	}
	bgStartReq struct {
		header
		Cmd   string `json:"cmd"`
		Style string `json:"style"`
	}
	bgWriteReq struct {
		header
		ID   int    `json:"id"`
		Data string `json:"data"`
	}
	bgCloseReq struct {
		header
		ID      int     `json:"id"`
		Timeout float64 `json:"timeout"`
	}
	bgTerminateAllReq struct{ header }
)

// Messages to the worker.
type (
	runReq struct {
		header
		Cell int    `json:"cell"`
		Code string `json:"code"`
	}
	expandReq struct {
		header
		Text string `json:"text"`
	}
	magicReq struct {
		header
		Cell   int    `json:"cell"`
		Code   string `json:"code"`
		Status int    `json:"status"`
		Raise  bool   `json:"raise"`
	}
	statusReply struct {
		header
		Status      int  `json:"status"`
		StderrShown bool `json:"stderr_shown"`
	}
	outputReply struct {
		header
		Output string `json:"output"`
	}
	startedReply struct {
		header
		ID  int    `json:"id"`
		PID int    `json:"pid"`
		Inq string `json:"inq"`
	}
	okReply      struct{ header }
	refusedReply struct {
		header
		Error string `json:"error"`
	}
)

func (*readyMsg) op() string          { return opReady }
func (*streamMsg) op() string         { return opStream }
func (*displayMsg) op() string        { return opDisplay }
func (*errorMsg) op() string          { return opError }
func (*doneMsg) op() string           { return opDone }
func (*expandedMsg) op() string       { return opExpanded }
func (*systemReq) op() string         { return opSystem }
func (*getoutputReq) op() string      { return opGetoutput }
func (*bgStartReq) op() string        { return opBgStart }
func (*bgWriteReq) op() string        { return opBgWrite }
func (*bgCloseReq) op() string        { return opBgClose }
func (*bgTerminateAllReq) op() string { return opBgTerminateAll }
func (*runReq) op() string            { return opRun }
func (*expandReq) op() string         { return opExpand }
func (*magicReq) op() string          { return opMagic }
func (*statusReply) op() string       { return opStatus }
func (*outputReply) op() string       { return opOutput }
func (*startedReply) op() string      { return opStarted }
func (*okReply) op() string           { return opOK }
func (*refusedReply) op() string      { return opRefused }

func (*readyMsg) validate() error          { return nil }
func (*doneMsg) validate() error           { return nil }
func (*expandedMsg) validate() error       { return nil }
func (*getoutputReq) validate() error      { return nil }
func (*bgTerminateAllReq) validate() error { return nil }
func (*runReq) validate() error            { return nil }
func (*expandReq) validate() error         { return nil }
func (*magicReq) validate() error          { return nil }
func (*statusReply) validate() error       { return nil }
func (*outputReply) validate() error       { return nil }
func (*startedReply) validate() error      { return nil }
func (*okReply) validate() error           { return nil }
func (*refusedReply) validate() error      { return nil }

func (m *streamMsg) validate() error {
	if m.Name != "stdout" && m.Name != "stderr" {
		return fmt.Errorf("stream name %q is neither stdout nor stderr", m.Name)
	}
	return nil
}

func (m *displayMsg) validate() error {
	switch m.Mime {
	case "text/plain", "text/markdown", "text/html", "text/latex":
		return nil
	}
	return fmt.Errorf("display of unknown type %q", m.Mime)
}

func (m *errorMsg) validate() error {
	if m.Ename == "" {
		return fmt.Errorf("error without an exception name")
	}
	return nil
}

func (m *systemReq) validate() error {
	if m.StderrDue < 0 {
		return fmt.Errorf("stderr due in %g seconds", m.StderrDue)
	}
	return nil
}

func (m *bgStartReq) validate() error {
	if m.Style != styleLauncher && m.Style != styleBashAsync {
		return fmt.Errorf("background step of unknown style %q", m.Style)
	}
	return nil
}

func (m *bgWriteReq) validate() error {
	if m.ID < 1 {
		return fmt.Errorf("background step id %d", m.ID)
	}
	return nil
}

func (m *bgCloseReq) validate() error {
	if m.ID < 1 || m.Timeout < 0 {
		return fmt.Errorf("background step id %d, timeout %g", m.ID, m.Timeout)
	}
	return nil
}

// fromWorker makes an empty message of each op the worker may send.
var fromWorker = map[string]func() workerMessage{
	opReady:          func() workerMessage { return new(readyMsg) },
	opStream:         func() workerMessage { return new(streamMsg) },
	opDisplay:        func() workerMessage { return new(displayMsg) },
	opError:          func() workerMessage { return new(errorMsg) },
	opDone:           func() workerMessage { return new(doneMsg) },
	opExpanded:       func() workerMessage { return new(expandedMsg) },
	opSystem:         func() workerMessage { return new(systemReq) },
	opGetoutput:      func() workerMessage { return new(getoutputReq) },
	opBgStart:        func() workerMessage { return new(bgStartReq) },
	opBgWrite:        func() workerMessage { return new(bgWriteReq) },
	opBgClose:        func() workerMessage { return new(bgCloseReq) },
	opBgTerminateAll: func() workerMessage { return new(bgTerminateAllReq) },
}

// isWorkerRequest says whether m asks labrun to do something (and awaits
// an answer echoing its seq).
func isWorkerRequest(m workerMessage) bool {
	switch m.(type) {
	case *systemReq, *getoutputReq, *bgStartReq, *bgWriteReq, *bgCloseReq, *bgTerminateAllReq:
		return true
	}
	return false
}

// protocolError says what arrived that the protocol does not allow.
type protocolError struct {
	why  string
	line []byte
}

func (e *protocolError) Error() string {
	line := bytes.TrimSpace(e.line)
	if len(line) > maxShownLine {
		line = append(append([]byte(nil), line[:maxShownLine]...), "..."...)
	}
	return fmt.Sprintf("python worker protocol: %s; got: %s", e.why, line)
}

// encodeMessage gives m's line, its op filled in.
func encodeMessage(m workerMessage) ([]byte, error) {
	m.head().Op = m.op()
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("python worker protocol: encode %s: %w", m.op(), err)
	}
	return append(b, '\n'), nil
}

// readLine reads one line of at most maxWorkerLine bytes, into a slice of
// its size: a long line is gathered in the reader's pieces, then copied
// once (appending piece by piece would double its capacity again and
// again, each time with a copy).
func readLine(r *bufio.Reader) ([]byte, error) {
	var pieces [][]byte
	n := 0
	for {
		chunk, err := r.ReadSlice('\n')
		n += len(chunk)
		if n > maxWorkerLine {
			first := append(pieces, chunk)[0]
			return nil, &protocolError{why: fmt.Sprintf("a line longer than %d MiB", maxWorkerLine>>20), line: bytes.Clone(first[:min(len(first), maxShownLine)])}
		}
		if err == bufio.ErrBufferFull {
			pieces = append(pieces, bytes.Clone(chunk))
			continue
		}
		line := make([]byte, 0, n)
		for _, p := range pieces {
			line = append(line, p...)
		}
		return append(line, chunk...), err
	}
}

// decodeFromWorker parses one line the worker sent. The error, if any, is
// a *protocolError.
//
// A line may be large (a bg_write of many MB): it is read in place, and
// the message's text fields are its only copy of it. (A json.Decoder
// would copy the line into its buffer first, and a field check that
// marshals the message would copy it again: a 10 MB bg_write cost labrun
// over 100 MB.)
func decodeFromWorker(line []byte) (workerMessage, error) {
	var keys map[string]skipValue
	if err := json.Unmarshal(line, &keys); err != nil {
		return nil, &protocolError{why: "not a message: " + err.Error(), line: line}
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, &protocolError{why: "not a message: " + err.Error(), line: line}
	}
	mk, ok := fromWorker[h.Op]
	if !ok {
		return nil, &protocolError{why: fmt.Sprintf("unknown op %q", h.Op), line: line}
	}
	m := mk()
	fields := fieldsOf(m)
	for k := range keys {
		if !fields[k] {
			return nil, &protocolError{why: fmt.Sprintf("bad %s message: json: unknown field %q", h.Op, k), line: line}
		}
	}
	if err := json.Unmarshal(line, m); err != nil {
		return nil, &protocolError{why: fmt.Sprintf("bad %s message: %v", h.Op, err), line: line}
	}
	for k := range fields {
		if _, ok := keys[k]; !ok {
			return nil, &protocolError{why: fmt.Sprintf("%s message without %q", h.Op, k), line: line}
		}
	}
	if err := m.validate(); err != nil {
		return nil, &protocolError{why: fmt.Sprintf("bad %s message: %v", h.Op, err), line: line}
	}
	return m, nil
}

// skipValue is any JSON value, left where it is: json.Unmarshal hands an
// Unmarshaler the value's bytes in the line, without copying them.
type skipValue struct{}

// UnmarshalJSON accepts any value.
func (*skipValue) UnmarshalJSON([]byte) error { return nil }

// fieldsOf gives the JSON names of the fields of m's type, every one of
// which a message must have (none is omitempty): m, empty, marshalled.
func fieldsOf(m workerMessage) map[string]bool {
	b, _ := json.Marshal(m)
	var all map[string]skipValue
	_ = json.Unmarshal(b, &all)
	fields := make(map[string]bool, len(all))
	for k := range all {
		fields[k] = true
	}
	return fields
}

// exchange is what labrun awaits while the worker serves one of its
// requests (run or expand).
type exchange struct {
	seq   uint64
	final string // opDone or opExpanded
}

// check says whether m may arrive now; lastReq is the seq of the
// worker's last request, which m's seq must exceed if m is a request.
func (x exchange) check(m workerMessage, lastReq uint64) error {
	seq := m.head().Seq
	switch m.(type) {
	case *streamMsg, *displayMsg, *errorMsg:
		if seq != x.seq {
			return fmt.Errorf("a %s for request %d while request %d runs", m.op(), seq, x.seq)
		}
		return nil
	case *doneMsg, *expandedMsg:
		if m.op() != x.final {
			return fmt.Errorf("%s while a %s was awaited", m.op(), x.final)
		}
		if seq != x.seq {
			return fmt.Errorf("stale %s: request %d, awaited %d", m.op(), seq, x.seq)
		}
		return nil
	}
	if isWorkerRequest(m) {
		if seq <= lastReq {
			return fmt.Errorf("%s request %d after request %d", m.op(), seq, lastReq)
		}
		return nil
	}
	return fmt.Errorf("unexpected %s", m.op())
}
