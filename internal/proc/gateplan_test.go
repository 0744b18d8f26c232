package proc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"
)

// TestMain lets this binary serve as the gate of the tests' steps (the Go
// gate, in a build without cgo; the C one runs before TestMain), and
// makes it reap, as labrun does: its tests start Sessions.
func TestMain(m *testing.M) {
	MaybeGate()
	Reap()
	os.Exit(m.Run())
}

// TestGatePlanRoundTrip: what labrun encodes the gate decodes unchanged,
// empty strings, newlines and invalid UTF-8 included.
func TestGatePlanRoundTrip(t *testing.T) {
	plans := []gatePlan{
		{Path: "/bin/true", Argv: []string{"true"}, Umask: -1, Ctty: -1, Report: -1},
		{Path: "/usr/bin/sh", Argv: []string{"sh", "-c", "echo 'a\nb' \xff", ""},
			Limits: []rlimit{{unix.RLIMIT_AS, unix.Rlimit{Cur: 1 << 30, Max: ^uint64(0)}}, {unix.RLIMIT_CPU, unix.Rlimit{Cur: 2, Max: 7}}},
			Umask:  0o002, IgnorePipe: true, JoinNet: true, JoinTmp: true,
			JoinPid: true, NewSession: true, Ctty: 0, Report: 5, Handled: 0x1fff,
			Rules: []landlockRule{{Allowed: 0x1fff, Path: "/tmp/w d"}, {Allowed: 2, Path: "/dev/null"}}},
	}
	for _, p := range plans {
		got, err := decodeGatePlan(p.encode())
		if err != nil {
			t.Fatalf("decode(encode(%+v)): %v", p, err)
		}
		if diff := cmp.Diff(p, got, cmp.AllowUnexported(rlimit{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-sent +read):\n%s", diff)
		}
	}
}

// TestGateRefusesMalformedPlan: a gate given a plan it cannot read (of
// another labrun, cut short, with a bad number or trailing bytes) runs
// nothing, says why on stderr and exits 127. Built with cgo this is the C
// gate's parser, without cgo the Go one's (`CGO_ENABLED=0 go test`).
func TestGateRefusesMalformedPlan(t *testing.T) {
	good := gatePlan{Path: "/bin/sh", Argv: []string{"sh", "-c", "echo ran"}, Umask: -1}.encode()
	cases := map[string][]byte{
		"other version":  append([]byte("labrun-gate-0\x00"), good[len(gatePlanVersion)+1:]...),
		"cut short":      good[:len(good)-3],
		"empty":          nil,
		"bad number":     bytes.Replace(good, []byte("\x003\x00"), []byte("\x003x\x00"), 1),
		"too many items": bytes.Replace(good, []byte("\x003\x00"), []byte("\x009999\x00"), 1),
		"trailing bytes": append(append([]byte(nil), good...), "extra\x00"...),
	}
	for name, plan := range cases {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			out, code := runGate(t, plan)
			if code != 127 || !strings.Contains(out, "labrun: step could not start: read settings") || strings.Contains(out, "ran") {
				t.Errorf("exit %d, output %q; want 127 and a read settings error", code, out)
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		if out, code := runGate(t, good); code != 0 || out != "ran\n" {
			t.Errorf("exit %d, output %q; want 0 and \"ran\\n\"", code, out)
		}
	})
}

// runGate starts this test binary as a gate, sends it plan and returns
// its merged output and exit code.
func runGate(t *testing.T, plan []byte) (string, int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), gateVar+"=3")
	cmd.ExtraFiles = []*os.File{r}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// The plan (a few hundred bytes) waits in the pipe for the gate.
	w.Write(plan)
	w.Close()
	err = Run(ctx, cmd)
	r.Close()
	var ee *ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.Code
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}
