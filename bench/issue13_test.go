package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/testbin"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// The benchmarks of labrun's own cost (lessons that hang and that do not,
// output through pipes and a pty, parsing and rendering): each records
// its figures; report_test.go prints them as one table of ratios and
// writes BENCHMARKS.md.

const hangFreeLesson = "testdata/hangfree/lesson.md"

// usage is what one run of a command cost: wall time and the peak RSS of
// the command and of the children it waited for.
type usage struct {
	wall   time.Duration
	maxRSS int64 // bytes
	stdout string
}

// measure runs name args in dir and returns its cost; a non-zero exit
// fails the benchmark. stdout is kept unless discard. The command runs
// through testbin's spawner, so that its peak RSS is its own, not this
// process's (internal/testbin/spawn.go says why), and its wall time runs
// from its start to the spawner's end.
func measure(b *testing.B, dir string, discard bool, name string, args ...string) usage {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := ownedCommand(ctx, dir, nil, name, args...)
	var out, errs bytes.Buffer
	cmd.Stderr = &errs
	if discard {
		cmd.Stdout = io.Discard
	} else {
		cmd.Stdout = &out
	}
	sp, err := testbin.Spawn(cmd)
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	_, err = sp.Labrun()
	start := time.Now()
	if err != nil {
		cmd.Wait()
		b.Fatalf("%s %s: %v\nstderr:\n%s", name, strings.Join(args, " "), err, tail(errs.String()))
	}
	err = cmd.Wait()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, tail(out.String()), tail(errs.String()))
	}
	kb, err := sp.MaxRSSKB()
	if err != nil {
		b.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return usage{wall: wall, maxRSS: kb * 1024, stdout: out.String()}
}

// writeLesson writes a lesson.md of text into a fresh folder.
func writeLesson(b *testing.B, text string) string {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lesson.md"), []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// hangFreeMustSay are lines both the lesson's transcript and the shell
// script's output hold when the work was really done.
var hangFreeMustSay = []string{"sum 1..1000000 = 500000500000", "3 words", "parent: child exited with 3",
	"sum built", "fork built", "15", "285", "['fork.c', 'sum.c', 'words.c']", "done"}

// tangled makes the plain script of the hang-free lesson in a fresh folder
// with `labrun tangle` and returns the folder: run.sh, with the Python
// code tangle keeps as comments ("#| ") run by one python3 at its end.
func tangled(b *testing.B, bin, lesson string) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "sh")
	run(b, ".", nil, bin, "tangle", lesson, "-d", dir)
	script, err := os.ReadFile(filepath.Join(dir, "run.sh"))
	if err != nil {
		b.Fatal(err)
	}
	var py []string
	for _, l := range strings.Split(string(script), "\n") {
		if code, ok := strings.CutPrefix(l, "#|"); ok {
			py = append(py, strings.TrimPrefix(code, " "))
		}
	}
	full := string(script) + "\npython3 - <<'LABRUN_PY'\n" + strings.Join(py, "\n") + "\nLABRUN_PY\n"
	if err := os.WriteFile(filepath.Join(dir, "full.sh"), []byte(full), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkHangFree: the hang-free lesson (bench/testdata/hangfree) run by
// labrun against the plain script `labrun tangle` makes of it, in pairs,
// alternately first, so that both see the same machine.
func BenchmarkHangFree(b *testing.B) {
	bin := labrun(b)
	lesson := abs(b, hangFreeLesson)
	base := b.TempDir()
	var lr, sh time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		dir := tangled(b, bin, lesson)
		out := filepath.Join(base, fmt.Sprintf("hf-%d.md", n))
		runLabrun := func() {
			lr += measure(b, filepath.Dir(lesson), true, bin, "run", lesson, "-o", out).wall
		}
		runShell := func() {
			u := measure(b, dir, false, "sh", "full.sh")
			sh += u.wall
			for _, want := range hangFreeMustSay {
				if !strings.Contains(u.stdout, want) {
					b.Fatalf("the tangled script did not print %q:\n%s", want, tail(u.stdout))
				}
			}
		}
		b.StartTimer()
		if n%2 == 0 {
			runLabrun()
			runShell()
		} else {
			runShell()
			runLabrun()
		}
		n++
		b.StopTimer()
		transcript, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		for _, want := range hangFreeMustSay {
			if !bytes.Contains(transcript, []byte(want)) {
				b.Fatalf("labrun's transcript lacks %q:\n%s", want, tail(string(transcript)))
			}
		}
		b.StartTimer()
	}
	l, s := lr.Seconds()/float64(n), sh.Seconds()/float64(n)
	b.ReportMetric(l, "labrun-s/op")
	b.ReportMetric(s, "shell-s/op")
	record("labrun-hangfree", figures{seconds: l, strict: -1})
	record("shell-hangfree", figures{seconds: s, strict: -1})
}

// cellTime reads the time= of cell i in a transcript.
func cellTime(b *testing.B, transcript []byte, i int) float64 {
	b.Helper()
	m := regexp.MustCompile(`labrun:out cell=` + strconv.Itoa(i) + ` .*status=(\w+).* time=([0-9.]+)s`).FindSubmatch(transcript)
	if m == nil {
		b.Fatalf("no cell %d in the transcript:\n%s", i, tail(string(transcript)))
	}
	if string(m[1]) != "interrupted" {
		b.Fatalf("cell %d: status %s, want interrupted", i, m[1])
	}
	v, _ := strconv.ParseFloat(string(m[2]), 64)
	return v
}

// BenchmarkHang: a deliberate hang (a %%bash cell whose cat opens a FIFO
// no one writes) from the cell's start to its end: start, block, stuck
// detection, Ctrl-C, end. The transcript gives the cell's time (10 ms
// steps).
func BenchmarkHang(b *testing.B) {
	bin := labrun(b)
	dir := writeLesson(b, "# hang\n\n```bash\n%%bash\nmkfifo f\ncat f\n```\n")
	var total float64
	n := 0
	for b.Loop() {
		os.Remove(filepath.Join(dir, "f"))
		out := filepath.Join(dir, "out.md")
		measure(b, dir, true, bin, "run", "lesson.md", "-o", out)
		t, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		total += cellTime(b, t, 0)
		n++
	}
	s := total / float64(n)
	b.ReportMetric(s*1000, "cell-ms/op")
	record("hang", figures{seconds: s, strict: -1})
}

// BenchmarkPipes1GB: a %%bash step printing 1 GB through pipes: labrun's
// throughput (1 GB over the whole run's wall time) and peak RSS.
func BenchmarkPipes1GB(b *testing.B) {
	bin := labrun(b)
	dir := writeLesson(b, "# flood\n\n```bash\n%%bash\nyes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1000000000\n```\n")
	var wall time.Duration
	var rss int64
	n := 0
	for b.Loop() {
		u := measure(b, dir, true, bin, "run", "lesson.md", "-o", filepath.Join(dir, "out.md"), "--timeout", "120s")
		wall += u.wall
		rss = max(rss, u.maxRSS)
		n++
	}
	s := wall.Seconds() / float64(n)
	b.ReportMetric(1e9/s/1e6, "MB/s")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	record("pipes-1gb", figures{seconds: s, scored: float64(rss), strict: -1})
}

// BenchmarkPty100MB: a ! step printing 100 MB of short lines through the
// pty, against `script -qc` on the same command (its output read and
// dropped), in pairs, alternately first: two pairs per op.
func BenchmarkPty100MB(b *testing.B) {
	if _, err := exec.LookPath("script"); err != nil {
		b.Skip("script (util-linux) not installed")
	}
	bin := labrun(b)
	const command = "yes | head -c 100000000"
	dir := writeLesson(b, "# flood\n\n```python\n!"+command+"\n```\n")
	var lr, sc time.Duration
	lFast, sFast := time.Duration(1<<62), time.Duration(1<<62)
	n := 0
	runLabrun := func() {
		l := measure(b, dir, true, bin, "run", "lesson.md", "-o", filepath.Join(dir, "out.md"), "--timeout", "300s").wall
		lr, lFast = lr+l, min(lFast, l)
	}
	runScript := func() {
		s := measure(b, dir, true, "script", "-qc", command, "/dev/null").wall
		sc, sFast = sc+s, min(sFast, s)
	}
	for b.Loop() {
		// Two pairs, each one first once: the line discipline's speed
		// drifts, and what ran just before may warm or load the machine.
		runLabrun()
		runScript()
		runScript()
		runLabrun()
		n += 2
	}
	l, s := lr.Seconds()/float64(n), sc.Seconds()/float64(n)
	b.ReportMetric(l, "labrun-s/op")
	b.ReportMetric(s, "script-s/op")
	record("labrun-pty", figures{seconds: l, strict: -1, fastest: lFast.Seconds()})
	record("script-pty", figures{seconds: s, strict: -1, fastest: sFast.Seconds()})
}

// synthetic returns a lesson of at least size bytes: prose, Python, shell
// and C cells, with results to render for each code cell.
func synthetic(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Part %d\n\nSome prose about part %d, with `code` and *emphasis*, long enough to be a paragraph of a lesson.\n\n", i, i)
		fmt.Fprintf(&b, "```python\nx%d = [i * i for i in range(%d)]\nprint(sum(x%d))\n!echo part %d\n```\n\n", i, i, i, i)
		fmt.Fprintf(&b, "```bash\n%%%%bash\nfor f in a b c; do echo $f%d; done\n```\n\n", i)
		fmt.Fprintf(&b, "```cpp\n%%%%cpp p%d.c\n%%run gcc p%d.c -o p%d && ./p%d\n#include <stdio.h>\nint main(void) { printf(\"%%d\\n\", %d); return 0; }\n```\n\n", i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkParseRender1MB: parsing a synthetic 1 MB lesson and rendering
// its transcript (every code cell with an output), in process.
func BenchmarkParseRender1MB(b *testing.B) {
	src := []byte(synthetic(1 << 20))
	var total time.Duration
	best := time.Duration(1<<63 - 1)
	n := 0
	for b.Loop() {
		start := time.Now()
		l, err := lessons.Parse("lesson.md", src)
		if err != nil {
			b.Fatal(err)
		}
		res := &transcript.Result{Lesson: l}
		for _, c := range l.Cells {
			res.Cells = append(res.Cells, &transcript.CellResult{Cell: c, Status: transcript.OK,
				Outputs: []transcript.Output{{Kind: transcript.Stream, Text: "output of the cell\nover two lines\n"}}})
		}
		out := render.Transcript(res)
		took := time.Since(start)
		total += took
		best = min(best, took)
		n++
		if len(out) < len(src) {
			b.Fatalf("transcript of %d bytes from a lesson of %d", len(out), len(src))
		}
	}
	s := total.Seconds() / float64(n)
	b.ReportMetric(s*1000, "ms/op")
	b.ReportMetric(best.Seconds()*1000, "min-ms/op")
	// strict holds the fastest run: on a shared machine the mean counts
	// the other loads' time slices.
	record("parse-render", figures{seconds: s, scored: float64(len(src)), strict: best.Seconds()})
}
