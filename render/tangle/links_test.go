package tangle

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteLinksStayInside: links already in the folder (an earlier
// tangle's folder a lesson's build left them in, or planted) lead
// nothing out of it: a file at a link's name replaces the link, the
// file it led to keeps its text, and a file under a linked folder that
// leads out is refused; nothing is written outside.
func TestWriteLinksStayInside(t *testing.T) {
	outside, dir := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "victim.c")
	if err := os.WriteFile(victim, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"a.c": victim, "out": outside, "up": ".."} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Write(dir, []File{{Name: "a.c", Data: []byte("new\n"), Mode: 0o644}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"out/x.c", "up/x.c", "../x.c", "out/deep/x.c"} {
		if _, err := Write(dir, []File{{Name: name, Data: []byte("pwned\n"), Mode: 0o644}}); err == nil {
			t.Errorf("%s: written", name)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "old\n" {
		t.Errorf("the file the link led to holds %q", b)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "a.c")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("a.c: %v, %v: want the file in place of the link", fi, err)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("outside holds %d entries, want victim.c only", len(entries))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x.c")); err == nil {
		t.Errorf("x.c written beside the folder")
	}
}
