package main

// The adversarial suite: every archive in the repository's
// testdata/adversarial/*.txtar is a lesson that tries to hang the run,
// flood it, escape it or crash it, and what labrun must do about it.
//
//	-- lesson.md --   the lesson (required); see the placeholders below
//	-- args --        extra arguments for "labrun run", split on spaces
//	-- skip --        a reason: the case is skipped (a known labrun bug;
//	                  the expect section says what labrun should do)
//	-- expect --      key: value lines, below (required)
//	-- any/other --   written beside the lesson before the run
//
// The harness runs the labrun binary TestMain's golden tests build once
// (labrunBinary), as
//
//	labrun run lesson.md -o got.md ARGS...
//
// in a fresh folder, with TMPDIR and HOME pointing to fresh folders and
// LABRUN_TEST_TAG set to a tag unique to the case, which every process of
// the run inherits. Whatever the expect section says, every case checks:
//
//   - the exit status (exit: N, default 0);
//   - the elapsed time: at most max-seconds, or else the --timeout of the
//     args plus 2 s (a case must give one of them), plus a start-up
//     allowance: twice what labrun takes, just before, to run a trivial
//     lesson (a Python cell with one shell step) on the machine as loaded
//     as it is -- about 0.4 s on an idle machine, two seconds or more on
//     a busy one, where starting python3 alone takes a second (twice:
//     the case itself adds load, and a case may start python3 twice); a
//     case over its bound measures the allowance again just after, and
//     the larger one counts (the load may have grown meanwhile: python3's
//     start, by which a cell's deadline moves, took 0.75 s before a case
//     and 2.9 s in it under make test-load);
//   - no process of the run is alive once labrun has exited: none whose
//     environment holds the tag or labrun's LABRUN_RUN_ID marker, and none
//     whose command line holds the tag (for daemons that clear their
//     environment); survivors are reported, then killed by pid; and no
//     cgroup of the run (labrun-PID-*) is left (reported, then removed);
//   - no partial or temporary file: the folder holds the archive's files,
//     got.md when the run wrote one and nothing else, TMPDIR is left empty,
//     and lesson.md is unchanged;
//   - standard output is empty (-o is given) and got.md, when written, is
//     valid UTF-8.
//
// Keys of the expect section (regular expressions are multi-line: ^ and $
// match at line ends; repeatable keys may appear many times):
//
//	exit: N                    the exit status
//	stderr: RE                 labrun's stderr matches (repeatable)
//	no-stderr: RE              it does not (repeatable)
//	transcript: RE             got.md matches (repeatable)
//	no-transcript: RE          it does not (repeatable)
//	max-seconds: S             the bound on the elapsed time, in seconds
//	                           (before the start-up allowance)
//	heavy: true                a flood: run alone, before the other cases
//	                           (which run in parallel), so that its load
//	                           does not eat their time bounds
//	no-output-file: true       got.md must not exist at all
//	any-output-file: true      got.md may or may not exist (else it must)
//	max-transcript-bytes: N    got.md is at most N bytes
//	max-rss-mb: N              labrun's max RSS (with everything it waited
//	                           for, from its rusage) is below N MB; labrun
//	                           is started through a spawner, so that the
//	                           test process's own peak is not counted
//	                           (internal/testbin/spawn.go)
//	process-limit: N           a fork bomb case: run as root, labrun's pids
//	                           cgroup labrun-PID-* must exist during the run
//	                           with pids.max N and record failed forks (the
//	                           case is skipped when root cannot make a pids
//	                           cgroup: RLIMIT_NPROC does not bind root);
//	                           unprivileged, the harness sets a looser
//	                           RLIMIT_NPROC on labrun as a safety net and
//	                           checks that at most N+10 processes of the run
//	                           were seen at once
//	no-cgroup: true            run where labrun cannot make a cgroup: as
//	                           root, labrun runs as the user "nobody"
//	needs-cgroup: true         skip unless labrun can make a pids cgroup
//	needs-root: REASON         skip unless labrun runs as root, saying why
//	                           (a guarantee that holds for root only, the
//	                           README saying so)
//	home-untouched: true       HOME is a fresh folder outside /tmp and
//	                           TMPDIR; where the kernel offers Landlock it
//	                           must still be empty after the run, and the
//	                           landlock-* keys apply; where it does not,
//	                           stderr must say "writes: NOT confined"
//	landlock-stderr: RE        stderr matches, where Landlock is active
//	landlock-transcript: RE    got.md matches, where Landlock is active
//	signal: INT|TERM|HUP       send labrun this signal once the file
//	                           "started" appears in the lesson's folder
//	                           (the lesson touches @DIR@/started); further
//	                           signal lines follow 300 ms apart
//
// Placeholders in lesson.md, replaced by the harness before the run:
//
//	@TAG@               the case's unique tag
//	@DIR@               the absolute path of the lesson's folder
//	@PORT@              the port of a TCP listener the harness opens on
//	                    127.0.0.1 for the run; no connection may reach it
//	@HEX:ff 00@         the raw bytes (invalid UTF-8, NUL...)
//	@REPEAT:N:TEXT@     TEXT repeated N times (a 10 MB line)

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/internal/testbin"
	"github.com/rogpeppe/go-internal/txtar"
	"golang.org/x/sys/unix"
)

var adversarialDir = filepath.Join("..", "..", "testdata", "adversarial")

func TestAdversarial(t *testing.T) {
	bin := labrunBinary(t)
	files, err := filepath.Glob(filepath.Join(adversarialDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no archives in " + adversarialDir)
	}
	env := &advEnv{bin: bin}
	t.Cleanup(env.cleanup)
	// Heavy cases run one at a time, now; the others are paused by
	// t.Parallel until this loop is over, then run side by side.
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		heavy := false
		if c, err := readAdversarial(file); err == nil {
			heavy = c.expect.heavy
		}
		t.Run(name, func(t *testing.T) {
			if !heavy {
				t.Parallel()
			}
			runAdversarial(t, env, file)
		})
	}
}

// advEnv is what the cases share: the binary, and a copy of it that the
// user "nobody" may execute, made on first use.
type advEnv struct {
	bin        string
	nobodyOnce sync.Once
	nobodyDir  string
	nobodyBin  string
	nobodyErr  error
}

func (e *advEnv) cleanup() {
	if e.nobodyDir != "" {
		os.RemoveAll(e.nobodyDir)
	}
}

// binaryForNobody copies the binary where any user may run it (the built
// one is in a 0700 folder).
func (e *advEnv) binaryForNobody() (string, error) {
	e.nobodyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "labrun-adv-bin-")
		if err != nil {
			e.nobodyErr = err
			return
		}
		e.nobodyDir = dir
		if err := os.Chmod(dir, 0o755); err != nil {
			e.nobodyErr = err
			return
		}
		b, err := os.ReadFile(e.bin)
		if err != nil {
			e.nobodyErr = err
			return
		}
		e.nobodyBin = filepath.Join(dir, "labrun")
		e.nobodyErr = os.WriteFile(e.nobodyBin, b, 0o755)
	})
	return e.nobodyBin, e.nobodyErr
}

// advCase is one archive, read.
type advCase struct {
	lesson []byte
	args   []string
	skip   string
	inputs []txtar.File
	expect advExpect
}

// advExpect is the expect section.
type advExpect struct {
	exit                           int
	stderr, noStderr               []*regexp.Regexp
	transcript, noTranscript       []*regexp.Regexp
	landlockStderr, landlockTransc []*regexp.Regexp
	maxSeconds                     float64
	noOutputFile                   bool
	maxTranscriptBytes             int64
	maxRSSMB                       int64
	processLimit                   int
	noCgroup, needsCgroup          bool
	needsRoot                      string
	homeUntouched                  bool
	heavy                          bool
	anyOutputFile                  bool
	signals                        []syscall.Signal
}

func readAdversarial(file string) (*advCase, error) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		return nil, err
	}
	c := &advCase{}
	hasLesson, hasExpect := false, false
	for _, f := range ar.Files {
		switch f.Name {
		case "lesson.md":
			c.lesson, hasLesson = f.Data, true
		case "args":
			c.args = strings.Fields(string(f.Data))
		case "skip":
			c.skip = strings.Join(strings.Fields(string(f.Data)), " ")
		case "expect":
			hasExpect = true
			if err := c.expect.parse(f.Data); err != nil {
				return nil, fmt.Errorf("%s: expect: %v", file, err)
			}
		case "got.md":
			return nil, fmt.Errorf("%s: got.md is where labrun writes; do not ship one", file)
		default:
			c.inputs = append(c.inputs, f)
		}
	}
	if !hasLesson || !hasExpect {
		return nil, fmt.Errorf("%s: needs a -- lesson.md -- and an -- expect -- section", file)
	}
	if c.expect.maxSeconds == 0 {
		d, ok := argTimeout(c.args)
		if !ok {
			return nil, fmt.Errorf("%s: give --timeout in args or max-seconds in expect", file)
		}
		c.expect.maxSeconds = d.Seconds() + 2
	}
	return c, nil
}

// argTimeout finds --timeout D (or -timeout=D) in the arguments.
func argTimeout(args []string) (time.Duration, bool) {
	for i, a := range args {
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "timeout" || !strings.HasPrefix(a, "-") {
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return 0, false
			}
			val = args[i+1]
		}
		d, err := time.ParseDuration(val)
		return d, err == nil
	}
	return 0, false
}

func (e *advExpect) parse(data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("line %d: want key: value", n)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		re := func(list *[]*regexp.Regexp) error {
			r, err := regexp.Compile("(?m)" + val)
			if err != nil {
				return err
			}
			*list = append(*list, r)
			return nil
		}
		var err error
		switch key {
		case "exit":
			e.exit, err = strconv.Atoi(val)
		case "stderr":
			err = re(&e.stderr)
		case "no-stderr":
			err = re(&e.noStderr)
		case "transcript":
			err = re(&e.transcript)
		case "no-transcript":
			err = re(&e.noTranscript)
		case "landlock-stderr":
			err = re(&e.landlockStderr)
		case "landlock-transcript":
			err = re(&e.landlockTransc)
		case "max-seconds":
			e.maxSeconds, err = strconv.ParseFloat(val, 64)
		case "no-output-file":
			e.noOutputFile, err = strconv.ParseBool(val)
		case "max-transcript-bytes":
			e.maxTranscriptBytes, err = strconv.ParseInt(val, 10, 64)
		case "max-rss-mb":
			e.maxRSSMB, err = strconv.ParseInt(val, 10, 64)
		case "process-limit":
			e.processLimit, err = strconv.Atoi(val)
		case "no-cgroup":
			e.noCgroup, err = strconv.ParseBool(val)
		case "needs-cgroup":
			e.needsCgroup, err = strconv.ParseBool(val)
		case "needs-root":
			e.needsRoot = val
		case "home-untouched":
			e.homeUntouched, err = strconv.ParseBool(val)
		case "heavy":
			e.heavy, err = strconv.ParseBool(val)
		case "any-output-file":
			e.anyOutputFile, err = strconv.ParseBool(val)
		case "signal":
			sig, ok := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP}[val]
			if !ok {
				return fmt.Errorf("line %d: signal: want INT, TERM or HUP", n)
			}
			e.signals = append(e.signals, sig)
		default:
			return fmt.Errorf("line %d: unknown key %q", n, key)
		}
		if err != nil {
			return fmt.Errorf("line %d: %s: %v", n, key, err)
		}
	}
	return sc.Err()
}

var (
	hexPlaceholder    = regexp.MustCompile(`@HEX:([0-9a-fA-F ]+)@`)
	repeatPlaceholder = regexp.MustCompile(`@REPEAT:(\d+):([^@]*)@`)
)

// expandLesson replaces the placeholders of a lesson.
func expandLesson(src []byte, tag, dir string, port int) []byte {
	src = bytes.ReplaceAll(src, []byte("@TAG@"), []byte(tag))
	src = bytes.ReplaceAll(src, []byte("@DIR@"), []byte(dir))
	src = bytes.ReplaceAll(src, []byte("@PORT@"), []byte(strconv.Itoa(port)))
	src = hexPlaceholder.ReplaceAllFunc(src, func(m []byte) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(string(hexPlaceholder.FindSubmatch(m)[1]), " ", ""))
		if err != nil {
			panic(err)
		}
		return b
	})
	return repeatPlaceholder.ReplaceAllFunc(src, func(m []byte) []byte {
		sm := repeatPlaceholder.FindSubmatch(m)
		n, _ := strconv.Atoi(string(sm[1]))
		return bytes.Repeat(sm[2], n)
	})
}

func randomTag(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "advtag" + hex.EncodeToString(b)
}

// nobody is who labrun runs as in no-cgroup cases when the tests run as
// root.
func nobody() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, err
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("nobody has uid %q gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// The places labrun looks for a pids controller (cgroupRoots in internal/proc).
var advCgroupRoots = []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"}

// canMakePidsCgroup reports whether the calling user can make a pids
// cgroup where labrun would: a folder on a cgroup file system that gets a
// pids.max file.
func canMakePidsCgroup() bool {
	for _, root := range advCgroupRoots {
		var st unix.Statfs_t
		if unix.Statfs(root, &st) != nil || (st.Type != unix.CGROUP_SUPER_MAGIC && st.Type != unix.CGROUP2_SUPER_MAGIC) {
			continue
		}
		dir, err := os.MkdirTemp(root, "labrun-adv-probe-")
		if err != nil {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, "pids.max"), os.O_WRONLY, 0)
		if err == nil {
			f.Close()
		}
		os.Remove(dir)
		if err == nil {
			return true
		}
	}
	return false
}

// landlockAvailable asks the kernel for its Landlock ABI version.
func landlockAvailable() bool {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, 1) // LANDLOCK_CREATE_RULESET_VERSION
	return errno == 0 && v > 0
}

// outsideTmpDir makes a folder that is neither beneath /tmp nor beneath
// TMPDIR (the sandbox lets steps write there): in /var/tmp, or else in
// this package's folder.
func outsideTmpDir(t *testing.T) string {
	t.Helper()
	for _, parent := range []string{"/var/tmp", "."} {
		dir, err := os.MkdirTemp(parent, ".labrun-adv-home-")
		if err != nil {
			continue
		}
		dir, _ = filepath.Abs(dir)
		t.Cleanup(func() { os.RemoveAll(dir) })
		for _, tmp := range []string{"/tmp", os.TempDir()} {
			if r, err := filepath.Rel(tmp, dir); err == nil && !strings.HasPrefix(r, "..") {
				t.Fatalf("%s lies beneath %s: the sandbox lets steps write there", dir, tmp)
			}
		}
		return dir
	}
	t.Fatal("cannot make a folder outside /tmp for HOME")
	return ""
}

// caseDir makes a fresh folder; for a run as another user, one that user
// may write in (t.TempDir's parent is private).
func caseDir(t *testing.T, shared bool) string {
	t.Helper()
	if !shared {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "labrun-adv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runAdversarial(t *testing.T, env *advEnv, file string) {
	c, err := readAdversarial(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.skip != "" {
		t.Skipf("%s: %s", file, c.skip)
	}
	x := &c.expect
	root := os.Geteuid() == 0
	bin := env.bin
	var cred *syscall.Credential
	if x.noCgroup {
		if root {
			if cred, err = nobody(); err != nil {
				t.Skipf("no-cgroup case: running as root and there is no user nobody to drop to: %v", err)
			}
			if bin, err = env.binaryForNobody(); err != nil {
				t.Fatal(err)
			}
		} else if canMakePidsCgroup() {
			t.Skip("no-cgroup case: this user can make pids cgroups")
		}
	}
	runsAsRoot := root && cred == nil
	if x.needsCgroup && !canMakePidsCgroup() {
		t.Skip("needs a pids cgroup, and labrun cannot make one here")
	}
	if x.needsRoot != "" && !runsAsRoot {
		t.Skip("needs root: " + x.needsRoot)
	}
	if x.processLimit > 0 && runsAsRoot && !canMakePidsCgroup() {
		t.Skip("fork bomb case: root cannot make a pids cgroup here, and RLIMIT_NPROC does not bind root")
	}

	tag := randomTag(t)
	shared := cred != nil
	dir, tmp := caseDir(t, shared), caseDir(t, shared)
	home := caseDir(t, shared)
	if x.homeUntouched {
		home = outsideTmpDir(t)
	}

	port := 0
	var connections atomic.Int64
	if bytes.Contains(c.lesson, []byte("@PORT@")) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		port = ln.Addr().(*net.TCPAddr).Port
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				connections.Add(1)
				conn.Close()
			}
		}()
	}

	lesson := expandLesson(c.lesson, tag, dir, port)
	want := map[string]bool{"lesson.md": true}
	if len(x.signals) > 0 {
		want["started"] = true // touched by the lesson
	}
	if err := os.WriteFile(filepath.Join(dir, "lesson.md"), lesson, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.inputs {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		want[strings.Split(f.Name, "/")[0]] = true
	}

	allowance := startupAllowance(t, env.bin)
	limit := time.Duration(x.maxSeconds*float64(time.Second)) + allowance
	ctx, cancel := context.WithTimeout(context.Background(), limit+30*time.Second)
	defer cancel()
	args := append([]string{"run", "lesson.md", "-o", "got.md"}, c.args...)
	cmd := exec.Command(bin, args...)
	if x.processLimit > 0 && !runsAsRoot {
		cmd = safetyNet(t, cred, x.processLimit, bin, args)
	}
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(os.Environ(), "TMPDIR", "HOME", "LABRUN_RUN_ID", "LABRUN_TEST_TAG", "LABRUN_GATE_FD"),
		"TMPDIR="+tmp, "HOME="+home, "LABRUN_TEST_TAG="+tag)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var measured *testbin.Spawned
	if x.maxRSSMB > 0 {
		// internal/testbin/spawn.go says why.
		if measured, err = testbin.Spawn(cmd); err != nil {
			t.Fatal(err)
		}
	}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	labrun := cmd.Process
	if measured != nil {
		if labrun, err = measured.Labrun(); err != nil {
			cmd.Wait()
			t.Fatalf("%v; stderr:\n%s", err, clip(stderr.String(), 4000))
		}
		start = time.Now()
	}
	pid := labrun.Pid
	done := make(chan struct{})
	var watch *bombWatch
	if x.processLimit > 0 {
		watch = watchRun(pid, tag, done)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	sent := make(chan string, 1)
	if len(x.signals) > 0 {
		go sendSignals(labrun, filepath.Join(dir, "started"), x.signals, done, sent)
	} else {
		sent <- ""
	}
	var runErr error
	select {
	case runErr = <-waited:
	case <-ctx.Done():
		labrun.Kill()
		runErr = <-waited
		t.Errorf("labrun did not end within %v; killed", limit+30*time.Second)
	}
	elapsed := time.Since(start)
	close(done)
	if msg := <-sent; msg != "" {
		t.Errorf("%s", msg)
	}

	t.Logf("elapsed %.2fs (limit %.1fs + %.2fs start-up allowance)", elapsed.Seconds(), x.maxSeconds, allowance.Seconds())
	defer func() {
		if t.Failed() {
			t.Logf("labrun %s\nstderr:\n%s", strings.Join(args, " "), clip(stderr.String(), 4000))
		}
	}()

	// Exit status and time.
	code := 0
	if runErr != nil {
		ee, ok := runErr.(*exec.ExitError)
		if !ok {
			t.Fatalf("labrun: %v", runErr)
		}
		code = ee.ExitCode()
	}
	if code != x.exit {
		t.Errorf("exit status %d, want %d", code, x.exit)
	}
	if elapsed > limit {
		// The machine may have grown busier during the case: the
		// allowance is measured again, now, and the larger one counts.
		if again := startupAllowance(t, env.bin); again > allowance {
			t.Logf("start-up allowance measured again after the run: %.2fs", again.Seconds())
			allowance, limit = again, limit-allowance+again
		}
	}
	if elapsed > limit {
		t.Errorf("labrun took %.2fs, more than %.1fs + %.2fs start-up allowance", elapsed.Seconds(), x.maxSeconds, allowance.Seconds())
	}

	// Nothing survives.
	if left := survivors(tag, pid); len(left) > 0 {
		t.Errorf("processes of the run still alive after labrun exited (now killed): %v", left)
	}

	if left := leftoverCgroups(pid); len(left) > 0 {
		t.Errorf("labrun left its cgroup behind (now removed): %v", left)
	}

	// Memory.
	if measured != nil {
		if kb, err := measured.MaxRSSKB(); err == nil {
			mb := kb / 1024
			t.Logf("max RSS %d MB", mb)
			if mb >= x.maxRSSMB {
				t.Errorf("max RSS of labrun (and what it waited for) %d MB, want < %d MB", mb, x.maxRSSMB)
			}
		} else {
			t.Errorf("%v", err)
		}
	}

	// Messages.
	errText := stderr.String()
	for _, re := range x.stderr {
		if !re.MatchString(errText) {
			t.Errorf("stderr does not match %q", re)
		}
	}
	for _, re := range x.noStderr {
		if re.MatchString(errText) {
			t.Errorf("stderr matches %q", re)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("with -o, standard output should stay empty; got:\n%s", clip(stdout.String(), 2000))
	}

	// Files.
	if b, err := os.ReadFile(filepath.Join(dir, "lesson.md")); err != nil || !bytes.Equal(b, lesson) {
		t.Errorf("lesson.md was changed or removed (err %v)", err)
	}
	got, gotErr := os.ReadFile(filepath.Join(dir, "got.md"))
	if gotErr == nil {
		want["got.md"] = true
	}
	if x.noOutputFile && gotErr == nil {
		t.Errorf("got.md was written (%d bytes); want no output file", len(got))
	}
	if !x.noOutputFile && !x.anyOutputFile && gotErr != nil {
		t.Errorf("no transcript: %v", gotErr)
	}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if !want[e.Name()] {
				t.Errorf("left in the lesson's folder: %s (a partial or temporary file?)", e.Name())
			}
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("labrun left files in TMPDIR: %v", names)
	}

	// The transcript.
	if gotErr == nil {
		if !utf8.Valid(got) {
			t.Errorf("got.md is not valid UTF-8")
		}
		if x.maxTranscriptBytes > 0 && int64(len(got)) > x.maxTranscriptBytes {
			t.Errorf("got.md holds %d bytes, want at most %d", len(got), x.maxTranscriptBytes)
		}
	}
	for _, re := range x.transcript {
		if !re.Match(got) {
			t.Errorf("transcript does not match %q", re)
		}
	}
	for _, re := range x.noTranscript {
		if re.Match(got) {
			t.Errorf("transcript matches %q", re)
		}
	}

	// The listener.
	if port != 0 {
		if n := connections.Load(); n > 0 {
			t.Errorf("%d connection(s) reached the host's listener on 127.0.0.1:%d", n, port)
		}
	}

	// Writes outside.
	if x.homeUntouched {
		if landlockAvailable() {
			if ents, _ := os.ReadDir(home); len(ents) > 0 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("the lesson wrote to $HOME (%s) although Landlock is active: %v", home, names)
			}
			for _, re := range x.landlockStderr {
				if !re.MatchString(errText) {
					t.Errorf("stderr does not match %q (Landlock is active)", re)
				}
			}
			for _, re := range x.landlockTransc {
				if !re.Match(got) {
					t.Errorf("transcript does not match %q (Landlock is active)", re)
				}
			}
		} else {
			t.Log("this kernel offers no Landlock: checking that labrun says so")
			if !regexp.MustCompile(`(?m)^labrun: sandbox: writes: NOT confined`).MatchString(errText) {
				t.Errorf("without Landlock, stderr should say writes are NOT confined")
			}
		}
	}

	// The fork bomb.
	if watch != nil {
		watch.check(t, x.processLimit, runsAsRoot)
	}
	if t.Failed() && gotErr == nil {
		t.Logf("transcript:\n%s", clip(string(got), 3000))
	}
}

// startupAllowance runs a trivial lesson -- one Python cell running one
// shell step -- and returns twice how long labrun took: the cost of
// starting labrun, the Python worker and a step on the machine as loaded
// as it is now, which no time bound should blame on the case.
func startupAllowance(t *testing.T, bin string) time.Duration {
	t.Helper()
	dir, tmp := t.TempDir(), t.TempDir()
	lesson := "# Calibration\n\n```python\nprint(\"ready\")\n!true\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "lesson.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "lesson.md", "-o", "got.md", "--timeout", "30s")
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(os.Environ(), "TMPDIR", "HOME", "LABRUN_RUN_ID"), "TMPDIR="+tmp, "HOME="+tmp)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("calibration run: %v\n%s", err, out)
	}
	return 2 * time.Since(start)
}

// sendSignals waits for the file started, then sends the signals to p,
// 300 ms apart; it reports on sent what went wrong ("" if nothing).
func sendSignals(p *os.Process, started string, sigs []syscall.Signal, done <-chan struct{}, sent chan<- string) {
	for {
		if _, err := os.Stat(started); err == nil {
			break
		}
		select {
		case <-done:
			sent <- "labrun ended before " + started + " appeared: no signal sent"
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	for i, sig := range sigs {
		if i > 0 {
			select {
			case <-done:
				sent <- fmt.Sprintf("labrun ended before signal %d (%v) was sent", i+1, sig)
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
		_ = p.Signal(sig)
	}
	sent <- ""
}

// leftoverCgroups lists the cgroups labrun process pid made and left,
// then removes them (killing what they still hold, by pid).
func leftoverCgroups(pid int) []string {
	var left []string
	for _, root := range advCgroupRoots {
		dirs, _ := filepath.Glob(filepath.Join(root, "labrun-"+proc.TagPrefix(pid)+"*"))
		for _, d := range dirs {
			left = append(left, d)
			for try := 0; try < 50; try++ {
				procs, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
				for _, f := range strings.Fields(string(procs)) {
					if p, err := strconv.Atoi(f); err == nil {
						_ = unix.Kill(p, unix.SIGKILL)
					}
				}
				if os.Remove(d) == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	return left
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n/2] + fmt.Sprintf("\n[... %d bytes ...]\n", len(s)-n) + s[len(s)-n/2:]
}

// safetyNet returns the command that runs labrun (bin args...) under a
// loose RLIMIT_NPROC, so that a fork bomb stays bounded even if labrun's
// own limit failed: the tasks of labrun's user now, plus limit, plus 300.
// A shell sets it and executes labrun in its place (same pid): without
// CAP_SYS_RESOURCE, prlimit(2) cannot touch another user's process.
func safetyNet(t *testing.T, cred *syscall.Credential, limit int, bin string, args []string) *exec.Cmd {
	t.Helper()
	uid := uint32(os.Getuid())
	if cred != nil {
		uid = cred.Uid
	}
	n := 0
	tasks, _ := filepath.Glob("/proc/[0-9]*/task/[0-9]*")
	for _, task := range tasks {
		var st unix.Stat_t
		if unix.Stat(task, &st) == nil && st.Uid == uid {
			n++
		}
	}
	nproc := strconv.Itoa(n + limit + 300)
	// bash says -u, dash -p.
	script := `ulimit -u "$1" 2>/dev/null || ulimit -p "$1" || exit 125; shift; exec "$0" "$@"`
	return exec.Command("/bin/sh", append([]string{"-c", script, bin, nproc}, args...)...)
}

// bombWatch watches a run while it goes: its pids cgroup, and how many of
// its processes live at once.
type bombWatch struct {
	mu         sync.Mutex
	cgroupSeen string
	pidsMax    string
	forkFails  int // from pids.events
	peak       int
	finished   chan struct{}
}

func watchRun(pid int, tag string, done <-chan struct{}) *bombWatch {
	w := &bombWatch{finished: make(chan struct{})}
	go func() {
		defer close(w.finished)
		prefix := "labrun-" + proc.TagPrefix(pid)
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			for _, root := range advCgroupRoots {
				ents, _ := os.ReadDir(root)
				for _, e := range ents {
					if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
						continue
					}
					d := filepath.Join(root, e.Name())
					pidsMax, err := os.ReadFile(filepath.Join(d, "pids.max"))
					if err != nil {
						continue
					}
					w.mu.Lock()
					w.cgroupSeen, w.pidsMax = d, strings.TrimSpace(string(pidsMax))
					if ev, err := os.ReadFile(filepath.Join(d, "pids.events")); err == nil {
						for _, line := range strings.Split(string(ev), "\n") {
							if f := strings.Fields(line); len(f) == 2 && f[0] == "max" {
								if n, err := strconv.Atoi(f[1]); err == nil && n > w.forkFails {
									w.forkFails = n
								}
							}
						}
					}
					w.mu.Unlock()
				}
			}
			n := len(taggedPids(tag))
			w.mu.Lock()
			w.peak = max(w.peak, n)
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *bombWatch) check(t *testing.T, limit int, asRoot bool) {
	t.Helper()
	<-w.finished
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Logf("cgroup %q pids.max %q failed forks %d; at most %d processes of the run seen at once",
		w.cgroupSeen, w.pidsMax, w.forkFails, w.peak)
	if asRoot {
		switch {
		case w.cgroupSeen == "":
			t.Errorf("no pids cgroup labrun-PID-* seen while the run went on")
		case w.pidsMax != strconv.Itoa(limit):
			t.Errorf("%s: pids.max is %s, want %d", w.cgroupSeen, w.pidsMax, limit)
		case w.forkFails == 0:
			t.Errorf("%s: pids.events records no failed fork: the bomb did not reach the limit", w.cgroupSeen)
		}
		return
	}
	if w.peak > limit+10 {
		t.Errorf("%d processes of the run alive at once, over the limit %d", w.peak, limit)
	}
}

// taggedPids lists the live (not zombie) processes whose environment or
// command line holds tag, but the calling process.
func taggedPids(tag string) []int {
	needle := []byte(tag)
	var out []int
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(p))
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, _ := os.ReadFile(p + "/environ")
		cmdline, _ := os.ReadFile(p + "/cmdline")
		if !bytes.Contains(env, needle) && !bytes.Contains(cmdline, needle) {
			continue
		}
		if st, err := os.ReadFile(p + "/stat"); err != nil || isZombie(st) {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// survivors lists the processes of the run (tagged, or carrying the
// LABRUN_RUN_ID marker of labrun process pid) still alive, waiting a
// little for the last ones to go, and kills them, each by its pid.
func survivors(tag string, pid int) []string {
	var left []int
	for try := 0; try < 20; try++ {
		left = taggedPids(tag)
		if len(left) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var out []string
	for _, p := range left {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
		out = append(out, fmt.Sprintf("%d:%s", p, strings.TrimSpace(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))))
		_ = unix.Kill(p, unix.SIGKILL)
	}
	for _, s := range leftoverProcesses(pid) {
		out = append(out, s+" (by LABRUN_RUN_ID)")
		if p, err := strconv.Atoi(strings.SplitN(s, ":", 2)[0]); err == nil {
			_ = unix.Kill(p, unix.SIGKILL)
		}
	}
	return out
}
