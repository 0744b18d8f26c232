package main

// CLI tests with testscript: testdata/script/*.txtar are scripts that run
// the "labrun" command (the test binary itself, re-executed through
// testscript.Main in TestMain, see golden_test.go).
//
// Besides testscript's own commands, the scripts may use:
//
//	status CODE PROG [ARGS...]
//	    run PROG and check that it exits with status CODE exactly (stdout
//	    and stderr are kept for the stdout/stderr commands that follow)
//	kept [FILE...]
//	    the last command's stderr says "labrun: work dir kept: DIR"; DIR
//	    must exist and hold every FILE; DIR is then removed
//	emptydir DIR
//	    DIR exists and holds nothing (! emptydir: holds something)
//	only NAME...
//	    the current folder holds exactly these names (hidden ones too)
//	alive NAME
//	    a live process's command line holds NAME (! alive: none does)
//	signal INT|TERM WAITFILE CODE PROG [ARGS...]
//	    start PROG, wait until WAITFILE exists, send the signal, check the
//	    exit status is CODE and that no process of the run survived
//	workflowcmds stdout|stderr NAME...
//	    a GitHub Actions runner takes exactly these workflow commands from
//	    the last command's stdout or stderr (ghlog_script_test.go)
//
// the variable $LABRUN (the labrun command's full path, for scripts that
// change PATH) and the condition [root] (permission bits do not stop root:
// the read-only folder case is skipped then).
//
// testscript sets TMPDIR to $WORK/.tmp, inside $WORK: most scripts keep
// their lesson in a sub-folder so that its scratch copy is made outside
// the folder being copied; scratch_in_lesson_dir.txtar checks the other
// case.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           scriptDir,
		UpdateScripts: *update,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":       cmdStatus,
			"kept":         cmdKept,
			"emptydir":     cmdEmptyDir,
			"only":         cmdOnly,
			"signal":       cmdSignal,
			"alive":        cmdAlive,
			"workflowcmds": cmdWorkflowCommands,
		},
		Setup: func(env *testscript.Env) error {
			// $LABRUN: the labrun command by its full path, for scripts
			// that change PATH.
			p, err := exec.LookPath("labrun")
			if err != nil {
				return err
			}
			env.Setenv("LABRUN", p)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "jupyter":
				// jupyter nbconvert with a Python kernel: .ci/run
				// installs them, so with CI set a missing one fails.
				_, err := exec.LookPath("jupyter")
				if err != nil && os.Getenv("CI") != "" {
					return false, fmt.Errorf("CI is set and jupyter is not installed (apt-get install jupyter-nbconvert python3-ipykernel): %w", err)
				}
				return err == nil, nil
			case "cram":
				// cram 0.7 (cram3, with patch for its -i): .ci/run
				// installs them, so with CI set a missing one fails.
				_, err := exec.LookPath("cram3")
				if err == nil {
					_, err = exec.LookPath("patch")
				}
				if err != nil && os.Getenv("CI") != "" {
					return false, fmt.Errorf("CI is set and cram is not installed (apt-get install python3-cram patch): %w", err)
				}
				return err == nil, nil
			}
			return false, errors.New("unknown condition " + cond)
		},
	})
}

// exitStatus turns the error of a finished command into its exit status.
func exitStatus(ts *testscript.TestScript, err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		ts.Fatalf("%v", err)
	}
	return ee.ExitCode()
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! status")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: status CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := exitStatus(ts, ts.Exec(args[1], args[2:]...))
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

var keptRE = regexp.MustCompile(`(?m)^labrun: work dir kept: (.+)$`)

func cmdKept(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! kept")
	}
	m := keptRE.FindStringSubmatch(ts.ReadFile("stderr"))
	if m == nil {
		ts.Fatalf("stderr does not say which work dir was kept")
	}
	dir := m[1]
	if !filepath.IsAbs(dir) {
		ts.Fatalf("kept work dir %q is not an absolute path", dir)
	}
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		ts.Fatalf("kept work dir %s does not exist: %v", dir, err)
	}
	for _, f := range args {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			ts.Fatalf("kept work dir lacks %s: %v", f, err)
		}
	}
	ts.Check(os.RemoveAll(dir))
}

func cmdEmptyDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: emptydir DIR")
	}
	ents, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	switch {
	case !neg && len(names) > 0:
		ts.Fatalf("%s is not empty: %v", args[0], names)
	case neg && len(names) == 0:
		ts.Fatalf("%s is empty", args[0])
	}
}

func cmdOnly(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! only")
	}
	ents, err := os.ReadDir(ts.MkAbs("."))
	ts.Check(err)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	want := append([]string(nil), args...)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		ts.Fatalf("the folder holds %q, want %q", got, want)
	}
}

func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 {
		ts.Fatalf("usage: signal INT|TERM WAITFILE CODE PROG [ARGS...]")
	}
	sig, ok := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM}[args[0]]
	if !ok {
		ts.Fatalf("unknown signal %s", args[0])
	}
	waitFile := ts.MkAbs(args[1])
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	prog := args[3]
	if !strings.Contains(prog, "/") {
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, prog); isExecutable(p) {
				prog = p
				break
			}
		}
	}
	cmd := exec.Command(prog, args[4:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(withoutEnv(os.Environ(), "TMPDIR", "HOME", "PATH", "LABRUN_RUN_ID"),
		"TMPDIR="+ts.Getenv("TMPDIR"), "HOME="+ts.Getenv("HOME"), "PATH="+ts.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ts.Check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(waitFile); err == nil {
			break
		}
		select {
		case err := <-done:
			ts.Fatalf("%s ended (%v) before %s appeared\nstderr:\n%s", args[3], err, args[1], stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			ts.Fatalf("%s did not appear within 20s", args[1])
		}
	}
	ts.Check(cmd.Process.Signal(sig))
	var werr error
	select {
	case werr = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		ts.Fatalf("%s did not end within 20s of SIG%s", args[3], args[0])
	}
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	if got := exitStatus(ts, werr); got != want {
		ts.Fatalf("%s exited with status %d after SIG%s, want %d\nstderr:\n%s", args[3], got, args[0], want, stderr.String())
	}
	if left := leftoverProcesses(cmd.Process.Pid); len(left) > 0 {
		ts.Fatalf("processes of the run still alive after SIG%s: %v", args[0], left)
	}
}

func isExecutable(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0
}

func cmdAlive(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: alive NAME")
	}
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmdline, _ := os.ReadFile(p + "/cmdline")
		st, err := os.ReadFile(p + "/stat")
		if err != nil || !bytes.Contains(cmdline, []byte(args[0])) {
			continue
		}
		if i := bytes.LastIndexByte(st, ')'); i > 0 && i+2 < len(st) && st[i+2] == 'Z' {
			continue
		}
		found = append(found, filepath.Base(p))
	}
	switch {
	case neg && len(found) > 0:
		ts.Fatalf("processes %v are alive, holding %q", found, args[0])
	case !neg && len(found) == 0:
		ts.Fatalf("no live process holds %q", args[0])
	}
}
