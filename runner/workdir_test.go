package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/labrun/labrun/internal/proc"
)

// copyChildVar, when set, makes TestCopyTreeUnreadable the child that
// copies the folder it names, as whoever it runs as.
const copyChildVar = "LABRUN_TEST_COPY_FROM"

// copyReport is what the child says about its copy.
type copyReport struct {
	Copied    []string
	NotCopied []string
	Err       string
}

// TestCopyTreeUnreadable: an entry the copy cannot read is left out and
// named; the rest is copied. Root reads everything, so as root the copy
// runs in a child process as the user nobody.
func TestCopyTreeUnreadable(t *testing.T) {
	if from := os.Getenv(copyChildVar); from != "" {
		copyChild(from)
		return
	}
	src, err := os.MkdirTemp("", "labrun-copy-src-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(src, "closed"), 0o755); os.RemoveAll(src) })
	for name, mode := range map[string]os.FileMode{"open.txt": 0o644, "secret.txt": 0o000, "closed/inner.txt": 0o644, "sub/ok.txt": 0o644} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{src, filepath.Join(src, "closed")} {
		mode := os.FileMode(0o755)
		if filepath.Base(p) == "closed" {
			mode = 0o000
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	var rep copyReport
	if os.Geteuid() != 0 {
		rep = copyAndReport(src)
	} else {
		rep = copyAsNobody(t, src)
	}
	if rep.Err != "" {
		t.Fatalf("copyTree: %s", rep.Err)
	}
	if want := []string{"open.txt", "sub/ok.txt"}; !slices.Equal(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	if want := []string{"closed: permission denied", "secret.txt: permission denied"}; !slices.Equal(rep.NotCopied, want) {
		t.Errorf("not copied %v, want %v", rep.NotCopied, want)
	}
}

// copyAsNobody runs the copy in a child test process as the user nobody.
func copyAsNobody(t *testing.T, src string) copyReport {
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("root, and no user nobody to read as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// The test binary, where nobody may run it.
	bin, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "labrun-copy-bin-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "runner.test")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestCopyTreeUnreadable$")
	cmd.Env = append(os.Environ(), copyChildVar+"="+src, "TMPDIR=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := proc.Run(context.Background(), cmd); err != nil {
		t.Fatalf("child as nobody: %v\n%s%s", err, out.String(), stderr.String())
	}
	var rep copyReport
	for _, line := range splitLines(out.Bytes()) {
		if json.Unmarshal(line, &rep) == nil {
			return rep
		}
	}
	t.Fatalf("child as nobody said nothing readable:\n%s", out.String())
	return rep
}

// splitLines splits b into its lines.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := slices.Index(b, '\n')
		if i < 0 {
			return append(lines, b)
		}
		lines, b = append(lines, b[:i]), b[i+1:]
	}
	return lines
}

// copyChild is the child: it copies and prints its report as JSON.
func copyChild(from string) {
	b, _ := json.Marshal(copyAndReport(from))
	os.Stdout.Write(append(b, '\n'))
}

// copyAndReport copies src to a fresh folder and says what it got.
func copyAndReport(src string) copyReport {
	var rep copyReport
	dst, err := os.MkdirTemp("", "labrun-copy-dst-")
	if err != nil {
		return copyReport{Err: err.Error()}
	}
	defer os.RemoveAll(dst)
	skipped, err := copyTree(src, dst, dst, nil, 0o755)
	if err != nil {
		rep.Err = err.Error()
	}
	for _, nc := range skipped {
		rep.NotCopied = append(rep.NotCopied, filepath.ToSlash(nc.Path)+": "+nc.Err.Error())
	}
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dst, p)
			rep.Copied = append(rep.Copied, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(rep.NotCopied)
	return rep
}

// TestCopiedLink: what a link's copy holds, so that it points where the
// original does.
func TestCopiedLink(t *testing.T) {
	tests := []struct{ linkDir, target, want string }{
		{"/l", "data.txt", "data.txt"},
		{"/l/sub", "../data.txt", "../data.txt"},
		{"/l", "../shared", "/shared"},
		{"/l/sub", "../../shared/x", "/shared/x"},
		{"/l", "./../shared", "/shared"},
		// Out and back in by the folder's name: the copy has another
		// name, so this leaves it too.
		{"/l", "../l/data.txt", "/l/data.txt"},
		{"/l/sub", "x/../../data.txt", "x/../../data.txt"},
		{"/l", "/etc/passwd", "/etc/passwd"},
		{"/l", "..", "/"},
		// A name before "..": it may be a link, so the path stays as
		// written, from the link's folder.
		{"/l", "sub/../../x", "/l/sub/../../x"},
		{"/l", "../a/../b", "/l/../a/../b"},
	}
	for _, tt := range tests {
		if got := copiedLink("/l", tt.linkDir, tt.target); got != tt.want {
			t.Errorf("copiedLink(/l, %s, %s) = %s, want %s", tt.linkDir, tt.target, got, tt.want)
		}
	}
}

// TestEscapingLink: the link named when labrun refuses to write a cell's
// file is the first on the way that leads out of the work dir; a link
// inside it, even a dangling one, is not blamed.
func TestEscapingLink(t *testing.T) {
	dir := t.TempDir()
	for link, target := range map[string]string{"out": "/etc", "in": "sub", "dangling_in": "sub/missing", "dangling_out": "../nowhere", "sub/up": "../.."} {
		if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ name, link, target string }{
		{"out/x", "out", "/etc"},
		{"in/up/x", "in/up", "../.."},
		{"sub/up/x", "sub/up", "../.."},
		{"dangling_out", "dangling_out", "../nowhere"},
		{"dangling_in/x", "", ""},
		{"in/x", "", ""},
		{"plain/x", "", ""},
	}
	for _, tt := range tests {
		link, target, ok := escapingLink(dir, tt.name)
		if link != tt.link || target != tt.target || ok != (tt.link != "") {
			t.Errorf("escapingLink(%s) = %q %q %v, want %q %q", tt.name, link, target, ok, tt.link, tt.target)
		}
	}
}

// TestCopyTreeLeavesOut: the scratch copy leaves out what
// Options.LeaveOut names, relative to the lesson folder or absolute (also
// through a link to the folder, either way), a folder with all it holds; a path
// outside the folder leaves nothing out.
func TestCopyTreeLeavesOut(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "lesson")
	for _, name := range []string{"README.md", "README_no_output.md", "sub/out.md", "sub/keep.txt", "data/a.txt", "datafile"} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	given := []string{"README.md", filepath.Join(link, "sub", "out.md"), "data", filepath.Join(base, "datafile"), "../lesson", "/etc/passwd", "nothere/x"}
	leave, err := leftOut(link, given)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(base, "copy")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := copyTree(src, dst, filepath.Join(base, "run"), leave, 0o755); err != nil {
		t.Fatal(err)
	}
	var copied []string
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dst {
			rel, _ := filepath.Rel(dst, p)
			copied = append(copied, filepath.ToSlash(rel))
		}
		return nil
	})
	if want := []string{"README_no_output.md", "datafile", "sub", "sub/keep.txt"}; !slices.Equal(copied, want) {
		t.Errorf("copied %v, want %v (left out %v)", copied, want, given)
	}
}
