package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestErrorsNameThePath: every error of a write names the path as the
// user gave it and no file made beside it (the probe, the temporary
// file): a folder that is not there, a write of the temporary file that
// fails (over the file size limit), a rename of it over the target that
// fails, each through Write, WriteIfUnchanged and CheckWritable alike.
func TestErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("big.md", []byte("old\n"), 0o644)
	snap, err := Take("big.md", []byte("old\n"))
	if err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("x", 64<<10))
	overLimit := func(f func() error) error {
		// The file size limit, under what the write writes: the
		// temporary file's write fails (EFBIG; Go ignores SIGXFSZ).
		var old unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
		lim := old
		lim.Cur = 4096
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err != nil {
			t.Skip("cannot lower the file size limit:", err)
		}
		defer unix.Setrlimit(unix.RLIMIT_FSIZE, &old)
		return f()
	}
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"CheckWritable, no folder":    {CheckWritable("nodir/out.md"), "cannot write nodir/out.md: no such file or directory"},
		"Write, no folder":            {Write("nodir/out.md", nil, 0o644), "write nodir/out.md: no such file or directory"},
		"Write, too large":            {overLimit(func() error { return Write("big.md", big, 0o644) }), "write big.md: " + syscall.EFBIG.Error()},
		"WriteIfUnchanged, too large": {overLimit(func() error { return WriteIfUnchanged("big.md", snap, big) }), "write big.md: " + syscall.EFBIG.Error()},
		"rename fails": {write("big.md", []byte("new"), 0o644, func(target string) error {
			// what stands there by the rename is a folder that is not empty
			os.Remove(target)
			os.MkdirAll(filepath.Join(target, "in"), 0o755)
			return nil
		}), "write big.md: "},
	} {
		// the rename's cause (EISDIR, EEXIST) is the kernel's to say:
		// a want that ends in ": " is the start of the message
		got := ""
		if c.err != nil {
			got = c.err.Error()
		}
		exact := !strings.HasSuffix(c.want, ": ")
		if exact && got != c.want || !strings.HasPrefix(got, c.want) || strings.Contains(got, ".tmp-") || strings.Contains(got, ".probe-") {
			t.Errorf("%s: %q, want %s", name, got, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files left in the folder, want 1 (big.md)", len(ents))
	}
}
