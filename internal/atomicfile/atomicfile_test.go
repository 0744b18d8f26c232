package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteReplaces: the old content goes as a whole, its mode is kept,
// and no temporary file is left.
func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.md")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectFile(t, p, "new", 0o600)
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want 1", len(ents))
	}
}

// TestWriteThroughLink: writing a symbolic link writes the file it leads
// to (through a chain, relative and absolute, with a ".." that only the
// resolved folder gives its meaning); the links stay links.
func TestWriteThroughLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "deep")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "real", "lesson.md")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	// via/ -> real/deep; via/l1 -> ../lesson.md (real/lesson.md, not ./lesson.md)
	mustLink(t, real, filepath.Join(dir, "via"))
	mustLink(t, "../lesson.md", filepath.Join(real, "l1"))
	mustLink(t, filepath.Join(dir, "via", "l1"), filepath.Join(dir, "l2"))
	if err := Write(filepath.Join(dir, "l2"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectFile(t, target, "new", 0o640)
	for _, l := range []string{filepath.Join(dir, "l2"), filepath.Join(real, "l1")} {
		if info, err := os.Lstat(l); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link (%v)", l, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "lesson.md")); err == nil {
		t.Errorf("the relative link was resolved lexically: %s written", filepath.Join(dir, "lesson.md"))
	}
}

// TestWriteDanglingLink: a link to a file that does not exist yet
// creates that file, and stays a link.
func TestWriteDanglingLink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "out.md")
	mustLink(t, "made.md", link)
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectFile(t, filepath.Join(dir, "made.md"), "new", 0o644)
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}
}

// TestWriteIfUnchanged: a file still as read is written; one edited
// since (other content, same size; or a touch) is left alone with
// ErrChanged.
func TestWriteIfUnchanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lesson.md")
	if err := os.WriteFile(p, []byte("as read"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := take(t, p)
	if err := WriteIfUnchanged(p, snap, []byte("updated")); err != nil {
		t.Fatal(err)
	}
	expectFile(t, p, "updated", 0o644)

	snap = take(t, p)
	if err := os.WriteFile(p, []byte("EDITED!"), 0o644); err != nil { // same size
		t.Fatal(err)
	}
	err := WriteIfUnchanged(p, snap, []byte("lost edit"))
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("write over an edited file: %v, want ErrChanged", err)
	}
	if want := p + ": changed while it was checked; not updated"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	expectFile(t, p, "EDITED!", 0o644)

	snap = take(t, p)
	later := snap.ModTime.Add(time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if err := WriteIfUnchanged(p, snap, []byte("x")); !errors.Is(err, ErrChanged) {
		t.Errorf("write over a touched file: %v, want ErrChanged", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the folder, want 1 (a temporary file left?)", len(ents))
	}
}

// TestWriteReadOnly: a file that exists read-only is not replaced, by
// Write, by WriteIfUnchanged, nor through a link, and CheckWritable
// refuses it; the error wraps ErrReadOnly and names the path given.
func TestWriteReadOnly(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lesson.md")
	if err := os.WriteFile(p, []byte("kept"), 0o444); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	mustLink(t, "lesson.md", link)
	snap := take(t, p)
	for name, err := range map[string]error{
		"Write":            Write(p, []byte("new"), 0o644),
		"Write via a link": Write(link, []byte("new"), 0o644),
		"WriteIfUnchanged": WriteIfUnchanged(p, snap, []byte("new")),
		"CheckWritable":    CheckWritable(p),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if want := p + ": read-only; not updated"; Write(p, nil, 0o644).Error() != want {
		t.Errorf("error %q, want %q", Write(p, nil, 0o644), want)
	}
	expectFile(t, p, "kept", 0o444)
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%d files in the folder, want 2 (a temporary file left?)", len(ents))
	}
}

// TestWriteIfUnchangedLink: through a link, the target is checked and
// written.
func TestWriteIfUnchangedLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.md")
	if err := os.WriteFile(target, []byte("as read"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	mustLink(t, "real.md", link)
	data, _ := os.ReadFile(link)
	snap, err := Take(link, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteIfUnchanged(link, snap, []byte("updated")); err != nil {
		t.Fatal(err)
	}
	expectFile(t, target, "updated", 0o644)
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}
}

func take(t *testing.T, p string) Snapshot {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Take(p, data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLink(t *testing.T, to, link string) {
	t.Helper()
	if err := os.Symlink(to, link); err != nil {
		t.Fatal(err)
	}
}

func expectFile(t *testing.T, p, want string, perm os.FileMode) {
	t.Helper()
	info, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm() != perm {
		t.Errorf("%s: mode %v, want a regular file with %v", p, info.Mode(), perm)
	}
	got, _ := os.ReadFile(p)
	if string(got) != want {
		t.Errorf("%s = %q, want %q", p, got, want)
	}
}
