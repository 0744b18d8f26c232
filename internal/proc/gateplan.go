package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/labrun/labrun/internal/limits"
)

// gatePlan is everything a gate does before it executes a step's
// program, worked out by labrun (the parent) so that the gate only
// applies it: the C gate (gate.c) and the Go one (gate.go) read the
// same plan, and neither computes anything.
type gatePlan struct {
	// Path and Argv are the program and its arguments.
	Path string
	Argv []string
	// Limits are the resource limits to set, in order, right before the
	// exec.
	Limits []rlimit
	// Umask is the file mode mask to set, or -1 to keep the inherited one.
	Umask int64
	// IgnorePipe starts the program with SIGPIPE ignored (otherwise it
	// starts at its default action).
	IgnorePipe bool
	// JoinNet makes the gate join the run's network namespace (the
	// sandbox's, named by netnsVar).
	JoinNet bool
	// JoinTmp makes the gate join the run's mount namespace too, that of
	// its private /tmp (tmpns.go), and go back to its folder by path.
	JoinTmp bool
	// JoinPid makes the gate start the step in the run's pid namespace
	// (pidns.go): it clones the step's process, which makes its own
	// session (NewSession, with descriptor Ctty as its controlling
	// terminal unless it is -1) or else its own process group, and writes
	// its pid on descriptor Report (-1 without JoinPid).
	JoinPid    bool
	NewSession bool
	Ctty       int64
	Report     int64
	// Handled are the Landlock rights the sandbox restricts (0: none);
	// Rules the paths beneath which some of them are allowed.
	Handled uint64
	Rules   []landlockRule
}

// landlockRule allows some rights beneath one path.
type landlockRule struct {
	Allowed uint64
	Path    string
}

// gatePlanVersion is the first field of an encoded plan: a gate of
// another build refuses the plan rather than misreads it.
const gatePlanVersion = "labrun-gate-3"

// A plan's flags: true and false.
const (
	planTrue  = "1"
	planFalse = "0"
)

// newGatePlan works out the plan of one step under a Session's Config.
// Limits are computed here, against labrun's own hard limits (which the
// gate inherits), and Landlock's rules against the paths as labrun sees
// them.
func newGatePlan(path string, argv []string, l limits.Limits, nproc uint64,
	sandbox bool, writable []string, umask *uint32, ignorePipe bool) (gatePlan, error) {
	rls, err := rlimits(l, nproc)
	if err != nil {
		return gatePlan{}, err
	}
	p := gatePlan{Path: path, Argv: argv, Limits: rls, Umask: -1, IgnorePipe: ignorePipe, Ctty: -1, Report: -1}
	if umask != nil {
		p.Umask = int64(*umask)
	}
	if sandbox {
		p.JoinNet = true
		if abi := landlockABI(); abi > 0 {
			p.Handled = writeRights(abi)
			for _, w := range writable {
				info, err := os.Stat(w)
				if err != nil {
					continue // what does not exist cannot be written beneath
				}
				allowed := p.Handled
				if !info.IsDir() {
					allowed &= fileRights
				}
				p.Rules = append(p.Rules, landlockRule{Allowed: allowed, Path: w})
			}
		}
	}
	return p, nil
}

// encode writes the plan as NUL-terminated fields, numbers in decimal:
//
//	version, path, argc, argv..., nlimits, (resource, soft, hard)...,
//	umask, ignore-pipe, join-net, join-tmp, join-pid, new-session, ctty,
//	report, handled, nrules, (allowed, path)...
//
// a format the C gate reads without a library.
func (p gatePlan) encode() []byte {
	var b bytes.Buffer
	field := func(s string) { b.WriteString(s); b.WriteByte(0) }
	num := func(v uint64) { field(strconv.FormatUint(v, 10)) }
	flag := func(v bool) {
		if v {
			field(planTrue)
		} else {
			field(planFalse)
		}
	}
	field(gatePlanVersion)
	field(p.Path)
	num(uint64(len(p.Argv)))
	for _, a := range p.Argv {
		field(a)
	}
	num(uint64(len(p.Limits)))
	for _, l := range p.Limits {
		num(uint64(l.res))
		num(l.lim.Cur)
		num(l.lim.Max)
	}
	field(strconv.FormatInt(p.Umask, 10))
	flag(p.IgnorePipe)
	flag(p.JoinNet)
	flag(p.JoinTmp)
	flag(p.JoinPid)
	flag(p.NewSession)
	field(strconv.FormatInt(p.Ctty, 10))
	field(strconv.FormatInt(p.Report, 10))
	num(p.Handled)
	num(uint64(len(p.Rules)))
	for _, r := range p.Rules {
		num(r.Allowed)
		field(r.Path)
	}
	return b.Bytes()
}

// errPlan says an encoded plan is malformed.
var errPlan = errors.New("malformed gate plan")

// decodeGatePlan reads what encode wrote.
func decodeGatePlan(data []byte) (gatePlan, error) {
	var p gatePlan
	d := planDecoder{data: data}
	if v := d.field(); v != gatePlanVersion {
		return p, fmt.Errorf("%w: version %q, want %q", errPlan, v, gatePlanVersion)
	}
	p.Path = d.field()
	p.Argv = make([]string, d.count())
	for i := range p.Argv {
		p.Argv[i] = d.field()
	}
	p.Limits = make([]rlimit, d.count())
	for i := range p.Limits {
		p.Limits[i].res = int(d.num())
		p.Limits[i].lim.Cur = d.num()
		p.Limits[i].lim.Max = d.num()
	}
	p.Umask, _ = strconv.ParseInt(d.field(), 10, 64)
	p.IgnorePipe = d.field() == planTrue
	p.JoinNet = d.field() == planTrue
	p.JoinTmp = d.field() == planTrue
	p.JoinPid = d.field() == planTrue
	p.NewSession = d.field() == planTrue
	p.Ctty, _ = strconv.ParseInt(d.field(), 10, 64)
	p.Report, _ = strconv.ParseInt(d.field(), 10, 64)
	p.Handled = d.num()
	p.Rules = make([]landlockRule, d.count())
	for i := range p.Rules {
		p.Rules[i].Allowed = d.num()
		p.Rules[i].Path = d.field()
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = fmt.Errorf("%w: %d bytes after its end", errPlan, len(d.data))
	}
	return p, d.err
}

// planDecoder walks an encoded plan's fields; its first error sticks.
type planDecoder struct {
	data []byte
	err  error
}

func (d *planDecoder) field() string {
	if d.err != nil {
		return ""
	}
	i := bytes.IndexByte(d.data, 0)
	if i < 0 {
		d.err = fmt.Errorf("%w: a field has no end", errPlan)
		return ""
	}
	s := string(d.data[:i])
	d.data = d.data[i+1:]
	return s
}

func (d *planDecoder) num() uint64 {
	s := d.field()
	if d.err != nil {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		d.err = fmt.Errorf("%w: %q is not a number", errPlan, s)
	}
	return v
}

// count is a number of items to follow, bounded by what is left.
func (d *planDecoder) count() int {
	v := d.num()
	if v > uint64(len(d.data)) {
		d.err = fmt.Errorf("%w: %d items announced, %d bytes left", errPlan, v, len(d.data))
		return 0
	}
	return int(v)
}
