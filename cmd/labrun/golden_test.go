package main

// End-to-end golden tests: every archive in the repository's
// testdata/golden/*.txtar holds a lesson, optional input files, optional
// extra command-line arguments and the transcript labrun must write.
//
//	-- lesson.md --   the lesson (required)
//	-- args --        extra arguments for "labrun run", split on spaces (optional)
//	-- skip --        a reason: the case is skipped (a known labrun bug whose
//	                  want.md says what labrun should write) (optional)
//	-- want.md --     the expected transcript, normalized (see normalize)
//	-- any/other --   written beside the lesson before the run
//
// The harness runs a labrun binary built once with "go build" (not route
// in-process: labrun installs signal handlers, a child subreaper and a
// reaper goroutine, process-global state that must not leak between
// cases), as
//
//	labrun run lesson.md -o got.md ARGS...
//
// in a temporary folder holding the archive's files, with TMPDIR pointing
// to a fresh empty folder. Besides comparing got.md with want.md it checks
// what every run must guarantee: exit status 0, transcript.Strip(got.md) is
// the lesson byte for byte, no temporary file left beside got.md, nothing
// left in TMPDIR, and no process of the run still alive.
//
// go test ./cmd/labrun -run TestGolden -update rewrites want.md inside
// the archives from what labrun writes now (skipped archives are left
// alone); review the diff before committing it.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labrun/labrun/internal/proc"
	"github.com/labrun/labrun/internal/testbin"
	"github.com/labrun/labrun/transcript"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite want.md in testdata/golden/*.txtar (and cmp targets in testdata/script/*.txtar) from the current output")

// TestMain serves both test files: testscript.Main runs the test binary
// as the "labrun" command when a script (script_test.go) calls it, and
// otherwise runs the tests through cleanupM, which removes the labrun
// binary the golden tests built once they are done. Nothing runs before
// testscript.Main (it would run again in every re-executed command) but
// testbin.MaybeSpawn and proc.MaybeGate, which do nothing unless this
// binary was started as a spawner or as a step's gate. The "labrun"
// command is a child process that does what main does, reaping
// included; the test process itself does not reap
// (it starts no step in-process), so its tests and testscript's exec
// wait for their children as os/exec does.
func TestMain(m *testing.M) {
	testbin.MaybeSpawn() // a spawner for max-rss-mb cases (adversarial_test.go)
	proc.MaybeGate()
	testscript.Main(cleanupM{m}, map[string]func(){
		"labrun": func() {
			proc.Reap()
			os.Exit(route(os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// cleanupM runs the tests, then removes the binary built for them.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	testbin.Cleanup()
	return code
}

// labrunBinary returns the labrun binary the tests run, built once per
// test process.
func labrunBinary(t *testing.T) string {
	t.Helper()
	bin, err := testbin.Labrun()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// The repository's testdata folder, seen from this package.
var (
	goldenDir = filepath.Join("..", "..", "testdata", "golden")
	scriptDir = filepath.Join("..", "..", "testdata", "script")
)

func TestGolden(t *testing.T) {
	bin := labrunBinary(t)
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden archives in " + goldenDir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runGolden(t, bin, file)
		})
	}
}

// goldenCase is one archive, read.
type goldenCase struct {
	archive *txtar.Archive
	lesson  []byte
	want    []byte
	hasWant bool
	args    []string
	skip    string
	inputs  []txtar.File // written beside the lesson
}

func readGolden(file string) (*goldenCase, error) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		return nil, err
	}
	gc := &goldenCase{archive: ar}
	hasLesson := false
	for _, f := range ar.Files {
		switch f.Name {
		case "lesson.md":
			gc.lesson, hasLesson = f.Data, true
			gc.inputs = append(gc.inputs, f)
		case "want.md":
			gc.want, gc.hasWant = f.Data, true
		case "args":
			gc.args = strings.Fields(string(f.Data))
		case "skip":
			gc.skip = strings.TrimSpace(string(f.Data))
		case "got.md":
			return nil, fmt.Errorf("%s: got.md is where labrun writes; do not ship one", file)
		default:
			gc.inputs = append(gc.inputs, f)
		}
	}
	if !hasLesson {
		return nil, fmt.Errorf("%s: no -- lesson.md -- file", file)
	}
	return gc, nil
}

func runGolden(t *testing.T, bin, file string) {
	gc, err := readGolden(file)
	if err != nil {
		t.Fatal(err)
	}
	if gc.skip != "" {
		t.Skipf("%s: %s", file, gc.skip)
	}
	dir := t.TempDir()
	tmp := t.TempDir() // TMPDIR of the run: labrun's scratch copy goes there
	for _, f := range gc.inputs {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{"run", "lesson.md", "-o", "got.md"}, gc.args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(os.Environ(), "TMPDIR", "LABRUN_RUN_ID"), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	pid := 0
	if cmd.Process != nil {
		pid = cmd.Process.Pid
	}
	if err != nil {
		t.Fatalf("labrun %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("with -o, standard output should stay empty; got:\n%s", stdout.String())
	}
	if left := leftoverProcesses(pid); len(left) > 0 {
		t.Errorf("processes of the run still alive after labrun exited: %v", left)
	}
	got, err := os.ReadFile(filepath.Join(dir, "got.md"))
	if err != nil {
		t.Fatalf("no transcript: %v\nstderr:\n%s", err, stderr.String())
	}
	if stripped := transcript.Strip(got); !bytes.Equal(stripped, gc.lesson) {
		t.Errorf("transcript.Strip(transcript) is not the lesson (-lesson +stripped):\n%s",
			cmp.Diff(string(gc.lesson), string(stripped)))
	}
	checkNoTempFiles(t, dir)
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("labrun left files in TMPDIR: %v", names)
	}

	norm := normalize(got)
	if *update {
		writeWant(t, file, gc.archive, norm)
		return
	}
	if !gc.hasWant {
		t.Fatalf("%s has no -- want.md --; run with -update to record one. Transcript:\n%s", file, norm)
	}
	if diff := cmp.Diff(string(normalize(gc.want)), string(norm)); diff != "" {
		t.Errorf("%s: transcript differs (-want +got):\n%s\nstderr:\n%s\n(go test ./cmd/labrun -run 'TestGolden/%s' -update accepts the new output)",
			file, diff, stderr.String(), strings.TrimSuffix(filepath.Base(file), ".txtar"))
	}
}

// Volatile values in a transcript and what they become.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	// Durations in annotations: <!-- labrun:out cell=0 ... time=0.12s -->.
	{regexp.MustCompile(`\btime=\d+(\.\d+)?s\b`), "time=T"},
	// "· interrupted after 0.4s: stuck: ..." (and the timeout's 1.0s).
	{regexp.MustCompile(`\binterrupted after \d+(\.\d+)?s\b`), "interrupted after Ts"},
	// TInteractiveLauncher logs: "L | Process started. PID = 1234".
	{regexp.MustCompile(`\bPID = \d+`), "PID = N"},
	// %bash_async run logs: "Process started! pid=1234".
	{regexp.MustCompile(`\bpid=\d+`), "pid=N"},
	// sh is found through PATH: /usr/bin/sh before /bin/sh on a merged-/usr
	// Debian, /bin/sh where /bin comes first. Same dash either way.
	{regexp.MustCompile(`(/usr)?/bin/sh: (\d+): `), "/usr/bin/sh: $2: "},
	// Python's standard library is where the Python that runs the worker
	// has it: /usr/lib/python3.11/ for Debian's (as the kernels that the
	// IPython goldens cite ran), ~/.pyenv/versions/3.11.7/lib/python3.11/
	// for pyenv's (check's Volatile masks it alike). The file's name and
	// line stay.
	{regexp.MustCompile(`~?(?:/[\w.+\-]+)*/lib(?:64)?/python\d\.\d+/`), "<PYSTD>/"},
	// A cell's file under IPython 8 is ipykernel's, in the worker's
	// temporary folder and named by its process id
	// (TMPDIR/ipykernel_PID/HASH.py); its HASH, of the cell, stays.
	{regexp.MustCompile(`\S*/ipykernel_\d+/`), "TMP/ipykernel_PID/"},
	// What IPython's timing magics measured (%time, %timeit: its
	// _format_time values on their own lines); the loops %timeit chose
	// when not given -n. Their format is check's to know
	// (check/volatile_files.go); here they are times of one run.
	{regexp.MustCompile(`(?m)^(    CPU times: user )[^,\n]+, sys: [^,\n]+, total: .+$`), "${1}T, sys: T, total: T"},
	{regexp.MustCompile(`(?m)^(    Wall time: ).+$`), "${1}T"},
	{regexp.MustCompile(`(?m)^(    (?:<TimeitResult : )?)\S+ \S+ ± \S+ \S+( per loop )`), "${1}T ± T${2}"},
	{regexp.MustCompile(`(?m)^    The slowest run took \S+ times longer than the fastest\. .*\n`), ""},
}

// normalize replaces the volatile values of a transcript with fixed
// placeholders; it is idempotent, so want.md may hold raw or normalized
// values.
func normalize(b []byte) []byte {
	for _, v := range volatile {
		b = v.re.ReplaceAll(b, []byte(v.with))
	}
	return b
}

// writeWant rewrites the archive with want.md replaced (or appended).
func writeWant(t *testing.T, file string, ar *txtar.Archive, want []byte) {
	t.Helper()
	found := false
	for i := range ar.Files {
		if ar.Files[i].Name == "want.md" {
			ar.Files[i].Data = want
			found = true
		}
	}
	if !found {
		ar.Files = append(ar.Files, txtar.File{Name: "want.md", Data: want})
	}
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated %s", file)
}

// checkNoTempFiles fails when a temporary or probe file of got.md is left
// in the lesson's folder: -o must write atomically and clean up.
func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".got.md") {
			t.Errorf("temporary file left beside the transcript: %s", e.Name())
		}
	}
}

// withoutEnv returns env without the given variables.
func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			if k == n {
				drop = true
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// leftoverProcesses lists the live processes that carry the marker of a
// run of labrun process pid (LABRUN_RUN_ID=PID-...): labrun promises that
// nothing it started survives it. Zombies have no environment and are
// not counted.
func leftoverProcesses(pid int) []string {
	if pid <= 0 {
		return nil
	}
	marker := []byte("LABRUN_RUN_ID=" + proc.TagPrefix(pid))
	var left []string
	// A process killed at the very end may take a moment to go away.
	for try := 0; try < 20; try++ {
		left = left[:0]
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			env, err := os.ReadFile(p + "/environ")
			if err != nil || !bytes.Contains(env, marker) {
				continue
			}
			if st, err := os.ReadFile(p + "/stat"); err == nil && isZombie(st) {
				continue
			}
			cmdline, _ := os.ReadFile(p + "/cmdline")
			left = append(left, filepath.Base(p)+":"+strings.TrimSpace(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))))
		}
		if len(left) == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return left
}

func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}
