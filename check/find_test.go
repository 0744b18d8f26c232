package check

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindOnce: a lesson named twice -- by another spelling of its path,
// through a link, or as a file of a folder also named -- is checked once,
// under its first name.
func TestFindOnce(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("sh", 0o755); err != nil {
		t.Fatal(err)
	}
	tr := "# L\n\n```python\nprint(1)\n```\n" + "<!-- labrun:out cell=0 kind=python status=ok time=0.01s -->\n\n    1\n\n<!-- labrun:end -->\n"
	if err := os.WriteFile(filepath.Join("sh", "l1.md"), []byte(tr), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("sh", "l1.md"), "link.md"); err != nil {
		t.Fatal(err)
	}
	got, err := Find([]string{"sh/l1.md", "./sh/l1.md", "sh//l1.md", "link.md", "sh", filepath.Join(dir, "sh", "l1.md")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "sh/l1.md" {
		t.Errorf("Find: %+v, want sh/l1.md once", got)
	}
}
