package main

// A differential test of labrun's cram test files against cram 0.7
// itself (cram3): .t files made by a seeded random generator
// (cramgen_test.go) are run by both, and for each file labrun must say
// what cram says:
//
//   - the file's verdict (passed, failed, skipped) and which commands
//     fail: cram's from the diff it prints, a command failing where a
//     "-" or "+" line of a hunk is one of its lines (in the file, or in
//     cram's .err: cramOwners), labrun's from its JUnit report (a
//     testcase per command);
//   - labrun check --update leaves the file byte for byte as cram3 -i -y
//     does;
//   - labrun run writes what cram writes in the file's .err, where cram
//     writes one.
//
// The cases: testdata/cramdiff/*.t, fixed, are files that found a
// difference once, kept as regressions (rSEED.t: made by the generator
// at that seed, as it was then; the others written for a difference),
// then -cramdiff.n files made from the seeds from -cramdiff.seed on (a
// few by default, to keep go test short; run hundreds to look for
// differences:
//
//	go test ./cmd/labrun -run TestCramDiff -cramdiff.n 500 -cramdiff.seed 1000
//
// -cramdiff.keep DIR keeps the files of the cases that differ).
// Skipped where cram3 or patch is not installed; under CI, where .ci/run
// installs them, it fails instead.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var (
	cramDiffN    = flag.Int("cramdiff.n", 12, "TestCramDiff: how many generated cases, besides the fixed ones")
	cramDiffSeed = flag.Uint64("cramdiff.seed", 1, "TestCramDiff: the seed of the first generated case")
	cramDiffKeep = flag.String("cramdiff.keep", "", "TestCramDiff: a folder to copy the .t files that differ into")
)

// cramDiffDir holds the fixed cases.
var cramDiffDir = filepath.Join("..", "..", "testdata", "cramdiff")

// cramVerdict is a file's verdict and its failing commands (by line).
type cramVerdict struct {
	verdict string // "passed", "failed", "skipped", or labrun's "error: ..."
	failing []int  // the lines of the failing commands, sorted
}

func (v cramVerdict) String() string { return fmt.Sprintf("%s %v", v.verdict, v.failing) }

func TestCramDiff(t *testing.T) {
	cram3, err := exec.LookPath("cram3")
	if err == nil {
		_, err = exec.LookPath("patch")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and cram is not installed (apt-get install python3-cram patch): %v", err)
		}
		t.Skipf("cram3 or patch is not installed (apt-get install python3-cram patch): %v", err)
	}
	bin := labrunBinary(t)
	files := map[string][]byte{}
	var names []string
	fixed, _ := filepath.Glob(filepath.Join(cramDiffDir, "*.t"))
	if len(fixed) == 0 {
		t.Fatalf("no fixed cases in %s", cramDiffDir)
	}
	for _, f := range fixed {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(f)] = src
		names = append(names, filepath.Base(f))
	}
	for i := 0; i < *cramDiffN; i++ {
		src, indent := genCramFile(*cramDiffSeed + uint64(i))
		name := fmt.Sprintf("g%d.t", *cramDiffSeed+uint64(i))
		if indent != 2 {
			name = fmt.Sprintf("g%di%d.t", *cramDiffSeed+uint64(i), indent)
		}
		files[name] = src
		names = append(names, name)
	}
	sort.Strings(names)
	root := t.TempDir()
	dirs := map[string]string{}
	for _, d := range []string{"cram", "crami", "own", "lab", "labu"} {
		dirs[d] = filepath.Join(root, d)
		if err := os.Mkdir(dirs[d], 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dirs[d], name), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := append(os.Environ(), "TMPDIR="+t.TempDir())
	// run runs prog in dir: its stdout, and its stderr after it.
	run := func(dir string, prog string, args ...string) ([]byte, []byte) {
		cmd := exec.Command(prog, args...)
		cmd.Dir, cmd.Env = dir, env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("%s: %v", prog, err)
			}
		}
		return out.Bytes(), errOut.Bytes()
	}
	want, got := map[string]cramVerdict{}, map[string]cramVerdict{}
	for _, group := range byIndent(names) {
		ind := "--indent=" + strconv.Itoa(cramNameIndent(group[0]))
		// cram: the verdicts (-v, with the diffs), and the .err files
		out, errOut := run(dirs["cram"], cram3, append([]string{"-v", ind}, group...)...)
		if bytes.Contains(errOut, []byte("Traceback")) {
			t.Fatalf("cram3 failed (the generator made a file it cannot read):\n%s", errOut)
		}
		owners := cramOwners(t, run, cram3, dirs["own"], group)
		maps.Copy(want, cramVerdicts(t, out, files, owners))
		run(dirs["crami"], cram3, append([]string{"-i", "-y", ind}, group...)...)
		// labrun: the verdicts (JUnit), the update, and the runs
		_, junitOut := run(dirs["lab"], bin, append([]string{"check", "-q", ind, "--junit", "r.xml"}, group...)...)
		maps.Copy(got, labrunVerdicts(t, filepath.Join(dirs["lab"], "r.xml"), junitOut, group))
		run(dirs["labu"], bin, append([]string{"check", "-q", ind, "--update"}, group...)...)
	}

	differ := map[string]bool{}
	for _, name := range names {
		var why []string
		if w, g := want[name], got[name]; w.String() != g.String() {
			why = append(why, fmt.Sprintf("verdict: cram3 %s, labrun %s", w, g))
		}
		ci, _ := os.ReadFile(filepath.Join(dirs["crami"], name))
		lu, _ := os.ReadFile(filepath.Join(dirs["labu"], name))
		if !bytes.Equal(ci, lu) {
			why = append(why, fmt.Sprintf("cram3 -i -y leaves:\n%s\nlabrun check --update leaves:\n%s", quoteLines(ci), quoteLines(lu)))
		}
		if errFile, err := os.ReadFile(filepath.Join(dirs["cram"], name+".err")); err == nil {
			_, ran := run(dirs["lab"], bin, "run", "--indent="+strconv.Itoa(cramNameIndent(name)), name, "-o", name+".run")
			lr, err := os.ReadFile(filepath.Join(dirs["lab"], name+".run"))
			if err != nil {
				why = append(why, fmt.Sprintf("labrun run wrote nothing: %s", ran))
			} else if !bytes.Equal(errFile, lr) {
				why = append(why, fmt.Sprintf("cram's .err:\n%s\nlabrun run:\n%s", quoteLines(errFile), quoteLines(lr)))
			}
		}
		if len(why) > 0 {
			differ[name] = true
			t.Errorf("%s differs; the file:\n%s\n%s", name, quoteLines(files[name]), strings.Join(why, "\n"))
		}
	}
	if *cramDiffKeep != "" && len(differ) > 0 {
		os.MkdirAll(*cramDiffKeep, 0o755)
		for name := range differ {
			os.WriteFile(filepath.Join(*cramDiffKeep, name), files[name], 0o644)
		}
	}
	t.Logf("%d cases, %d differ", len(names), len(differ))
}

// cramNameIndent is the indent a case is read with (cram's --indent):
// NAMEiN.t's is N, another's 2.
func cramNameIndent(name string) int {
	if m := indentName.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 2
}

// indentName is the name of a case of another indent than 2.
var indentName = regexp.MustCompile(`i([0-9])\.t$`)

// byIndent groups the cases by their indent, each group in names' order.
func byIndent(names []string) [][]string {
	groups := map[int][]string{}
	var order []int
	for _, name := range names {
		n := cramNameIndent(name)
		if groups[n] == nil {
			order = append(order, n)
		}
		groups[n] = append(groups[n], name)
	}
	var out [][]string
	for _, n := range order {
		out = append(out, groups[n])
	}
	return out
}

// quoteLines shows a file's lines, each quoted (so that CRs, trailing
// spaces and a missing last newline show).
func quoteLines(b []byte) string {
	var s strings.Builder
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" {
			fmt.Fprintf(&s, "\t%q\n", l)
		}
	}
	return s.String()
}

// cramHeader is the line cram3 -v prints for a file before its diff.
var cramHeader = regexp.MustCompile(`^([a-z0-9]+\.t): (passed|failed|skipped|empty)$`)

// hunkHeader is a unified diff's hunk header.
var hunkHeader = regexp.MustCompile(`^@@ -([0-9]+)(?:,([0-9]+))? \+([0-9]+)(?:,([0-9]+))? @@$`)

// cramVerdicts reads cram3 -v's output: each file's verdict, and its
// failing commands from its diff's hunks: a "-" line (the file's) counts
// for the command whose "$ " line is the last before it, a "+" line (the
// .err's) for the command whose line it is in owners (cramOwners), as
// labrun's JUnit counts them (CramFile.Differs); a line before the
// first command counts for the first.
func cramVerdicts(t *testing.T, out []byte, files map[string][]byte, owners map[string][]int) map[string]cramVerdict {
	t.Helper()
	lines := strings.SplitAfter(string(out), "\n")
	verdicts := map[string]cramVerdict{}
	var cur string
	var ref []string
	bad := map[int]bool{}
	flush := func() {
		if cur == "" {
			return
		}
		v := verdicts[cur]
		for l := range bad {
			v.failing = append(v.failing, l)
		}
		sort.Ints(v.failing)
		verdicts[cur] = v
		bad = map[int]bool{}
	}
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSuffix(lines[i], "\n")
		if m := cramHeader.FindStringSubmatch(l); m != nil {
			flush()
			cur = m[1]
			v := m[2]
			if v == "empty" {
				v = "skipped"
			}
			verdicts[cur] = cramVerdict{verdict: v}
			ref = cramFileLines(string(files[cur]))
			continue
		}
		m := hunkHeader.FindStringSubmatch(l)
		if m == nil || cur == "" {
			continue
		}
		ai, an := hunkStart(m[1], m[2])
		bj, bn := hunkStart(m[3], m[4])
		indent := strings.Repeat(" ", cramNameIndent(cur))
		refCmds := commandLines(ref, indent)
		fail := func(k int) { // command k fails (-1: before the first)
			switch {
			case len(refCmds) == 0:
				// no command: the file fails at its first indented
				// line, where labrun's cell of no command is
				bad[firstIndented(ref, indent)] = true
			case k < len(refCmds):
				bad[refCmds[max(k, 0)]] = true
			}
		}
		for an > 0 || bn > 0 {
			i++
			if i >= len(lines) {
				t.Fatalf("cram3's diff of %s ends in a hunk", cur)
			}
			switch h := lines[i]; h[0] {
			case ' ':
				ai, bj, an, bn = ai+1, bj+1, an-1, bn-1
			case '-':
				fail(commandIndex(ref, ai, indent))
				ai, an = ai+1, an-1
			case '+':
				own := owners[cur]
				if bj >= len(own) {
					t.Fatalf("%s: cram's line %d has no owner (cramOwners gave %d)", cur, bj+1, len(own))
				}
				fail(own[bj])
				bj, bn = bj+1, bn-1
			default:
				t.Fatalf("cram3's diff of %s: %q in a hunk", cur, h)
			}
		}
	}
	flush()
	return verdicts
}

// hunkStart reads a hunk header's start and length: the index (from
// 0) of its first line, and how many lines it holds.
func hunkStart(start, length string) (int, int) {
	i, _ := strconv.Atoi(start)
	n := 1
	if length != "" {
		n, _ = strconv.Atoi(length)
	}
	if n == 0 {
		i++ // "-N,0" names the line before
	}
	return i - 1, n
}

// cramFileLines are a .t file's lines as cram reads them, each with its
// "\n" (a last line without one gets it).
func cramFileLines(s string) []string {
	var out []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") {
			l += "\n"
		}
		out = append(out, l)
	}
	return out
}

// commandIndex is the index of the command that line i (from 0) of
// lines belongs to: its "$ " line (after indent) is the last at or
// before it; -1 for none.
func commandIndex(lines []string, i int, indent string) int {
	k := -1
	for j := 0; j <= i && j < len(lines); j++ {
		if strings.HasPrefix(lines[j], indent+"$ ") {
			k++
		}
	}
	return k
}

// commandLines are the lines (from 1) of the commands of a file's lines.
func commandLines(lines []string, indent string) []int {
	var out []int
	for i, l := range lines {
		if strings.HasPrefix(l, indent+"$ ") {
			out = append(out, i+1)
		}
	}
	return out
}

// firstIndented is the line (from 1) of the first indented line.
func firstIndented(lines []string, indent string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, indent) {
			return i + 1
		}
	}
	return 0
}

// ownersPy is cram's own run of test files (_run.py: runtests, in the
// environment and dirs cram's main makes), which prints, for each file
// cram does not skip, the index of the command each line of its .err
// (postout) belongs to: its "$ " and "> " lines, its output and status,
// the prose after it (-1 before the first). cram's test() is not changed:
// the shell's output it reads is kept (its execute wrapped), and cram's
// loop that builds postout from it is done again here with owners,
// checked to give cram's postout line for line.
const ownersPy = `import json, os, re, sys, tempfile, shutil
import cram._test as T
from cram._run import runtests
seen = {}
execute = T.execute
def keep(args, stdin=None, **kw):
    out, rc = execute(args, stdin=stdin, **kw)
    seen["stdin"], seen["out"] = stdin, out
    return out, rc
T.execute = keep

def owners(refout, output, salt, indent=b"  "):
    after, idx = {}, {}
    pos = prepos = k = -1
    for i, line in enumerate(refout):
        if line.startswith(indent + b"$ "):
            k += 1
            after.setdefault(pos, []).append((line, k))
            prepos, pos, idx[i] = pos, i, k
        elif line.startswith(indent + b"> "):
            after.setdefault(prepos, []).append((line, k))
        elif not line.startswith(indent):
            after.setdefault(pos, []).append((line, k))
    post, own, pos, cur = [], [], -1, -1
    for line in output[:-1].splitlines(True):
        out, cmd = line, None
        if salt in line:
            out, cmd = line.split(salt, 1)
        if out:
            if not out.endswith(b"\n"):
                out += b" (no-eol)\n"
            if T._needescape(out):
                out = T._escape(out)
            post.append(indent + out); own.append(cur)
        if cmd:
            ret = int(cmd.split()[1])
            if ret != 0:
                post.append(indent + b"[%d]\n" % ret); own.append(cur)
            for l, o in after.pop(pos, []):
                post.append(l); own.append(o)
            pos = int(cmd.split()[0])
            cur = idx.get(pos, cur)  # the last command owns what comes after the last mark
    for l, o in after.pop(pos, []):
        post.append(l); own.append(o)
    return post, own

tmp = os.environ["CRAMTMP"] = tempfile.mkdtemp("", "cramtests-")
for s in ("TMPDIR", "TEMP", "TMP"):
    os.environ[s] = os.path.join(tmp, "tmp")
os.mkdir(os.path.join(tmp, "tmp"))
res = {}
indent = int(sys.argv[1])
try:
    for path, test in runtests([os.fsencode(p) for p in sys.argv[2:]], os.fsencode(tmp), ["/bin/sh"], indent=indent):
        refout, postout, diff = test()
        if refout is None or postout is None:
            continue
        salt = re.search(rb"^echo (CRAM\S+) ", seen["stdin"], re.M).group(1)
        post, own = owners(refout, seen["out"], salt, b" " * indent)
        if post != postout:
            sys.exit("%s: the owners' lines are not cram's" % path.decode())
        res[path.decode()] = own
finally:
    shutil.rmtree(tmp)
print(json.dumps(res))
`

// cramOwners runs ownersPy, with cram3's Python, on the named files in
// dir, all of one indent: the owners of the lines of each file's .err.
func cramOwners(t *testing.T, run func(string, string, ...string) ([]byte, []byte), cram3, dir string, names []string) map[string][]int {
	t.Helper()
	script, err := os.ReadFile(cram3)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(script), "\n")
	py := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(py) == 0 {
		t.Fatalf("%s: no interpreter on its first line", cram3)
	}
	if err := os.WriteFile(filepath.Join(dir, "owners.py"), []byte(ownersPy), 0o644); err != nil {
		t.Fatal(err)
	}
	indent := strconv.Itoa(cramNameIndent(names[0]))
	args := append(py[1:], append([]string{"owners.py", indent}, names...)...)
	out, errOut := run(dir, py[0], args...)
	owners := map[string][]int{}
	if err := json.Unmarshal(out, &owners); err != nil {
		t.Fatalf("owners.py: %v\n%s%s", err, out, errOut)
	}
	return owners
}

// junitSuites is labrun's JUnit report, as much as this test reads.
type junitSuites struct {
	Suites []struct {
		Cases []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
			Skipped   *struct{} `xml:"skipped"`
		} `xml:"testcase"`
		Name string `xml:"name,attr"`
	} `xml:"testsuite"`
}

// caseLine reads the line of a command's testcase name.
var caseLine = regexp.MustCompile(`\(line ([0-9]+)\)$`)

// labrunVerdicts reads labrun's JUnit report: each file's verdict and
// its failing commands.
func labrunVerdicts(t *testing.T, report string, out []byte, names []string) map[string]cramVerdict {
	t.Helper()
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("labrun check wrote no JUnit report: %v\n%s", err, out)
	}
	var r junitSuites
	if err := xml.Unmarshal(data, &r); err != nil {
		t.Fatalf("labrun's JUnit report: %v", err)
	}
	verdicts := map[string]cramVerdict{}
	for _, name := range names {
		verdicts[name] = cramVerdict{verdict: "error: not in the report"}
	}
	for _, s := range r.Suites {
		name := s.Name
		v := cramVerdict{verdict: "skipped"}
		passed := 0
		for _, c := range s.Cases {
			name = c.Classname
			switch {
			case c.Error != nil:
				v.verdict = "error: " + c.Name
			case c.Failure != nil:
				if !strings.HasPrefix(v.verdict, "error") {
					v.verdict = "failed"
				}
				if m := caseLine.FindStringSubmatch(c.Name); m != nil {
					n, _ := strconv.Atoi(m[1])
					v.failing = append(v.failing, n)
				}
			case c.Skipped != nil:
			default:
				passed++
			}
		}
		if v.verdict == "skipped" && (passed > 0 || len(s.Cases) == 0) {
			v.verdict = "passed"
		}
		sort.Ints(v.failing)
		verdicts[name] = v
	}
	return verdicts
}
