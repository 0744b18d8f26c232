package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFileSetClash: an output is refused when it is an input or an
// earlier output, however the two are spelled, and only then.
func TestFileSetClash(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, f := range []string{"a.md", "sub/b.md"} {
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte("# A\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range [][2]string{
		{"link.md", "a.md"},       // a link to the file
		{"chain.md", "link.md"},   // a chain of links
		{"here", "sub"},           // a link to a folder
		{"dangling.md", "new.md"}, // a link to a file not made yet
	} {
		if err := os.Symlink(l[1], l[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link("a.md", "hard.md"); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "a.md")
	for _, tc := range []struct {
		name    string
		in, out []string // out[0] is checked against in, then out[1] against both
		want    string   // the error, "" for none
	}{
		{"the same name", []string{"a.md"}, []string{"a.md"}, "a.md: the output would overwrite the input a.md; choose another -o"},
		{"./", []string{"a.md"}, []string{"./a.md"}, "./a.md: the output would overwrite the input a.md; choose another -o"},
		{"absolute", []string{"a.md"}, []string{abs}, abs + ": the output would overwrite the input a.md; choose another -o"},
		{"through ..", []string{"a.md"}, []string{"sub/../a.md"}, "sub/../a.md: the output would overwrite the input a.md; choose another -o"},
		{"a link to it", []string{"a.md"}, []string{"link.md"}, "link.md: the output would overwrite the input a.md; choose another -o"},
		{"a chain of links", []string{"a.md"}, []string{"chain.md"}, "chain.md: the output would overwrite the input a.md; choose another -o"},
		{"a hard link", []string{"a.md"}, []string{"hard.md"}, "hard.md: the output would overwrite the input a.md; choose another -o"},
		{"a linked folder", []string{"sub/b.md"}, []string{"here/b.md"}, "here/b.md: the output would overwrite the input sub/b.md; choose another -o"},
		{"the input is the link", []string{"link.md"}, []string{"a.md"}, "a.md: the output would overwrite the input link.md; choose another -o"},
		{"two outputs", nil, []string{"o.md", "o.md"}, "o.md: the output would overwrite the output o.md; choose another -o"},
		{"two outputs, a linked folder", nil, []string{"sub/o.md", "here/o.md"}, "here/o.md: the output would overwrite the output sub/o.md; choose another -o"},
		{"two outputs, a link not made yet", nil, []string{"new.md", "dangling.md"}, "dangling.md: the output would overwrite the output new.md; choose another -o"},
		{"two outputs, in a folder not made yet", nil, []string{"none/x/o.md", "./none/x/o.md"}, "./none/x/o.md: the output would overwrite the output none/x/o.md; choose another -o"},
		{"another file", []string{"a.md"}, []string{"sub/b.md"}, ""},
		{"another name in the folder", []string{"a.md"}, []string{"o.md"}, ""},
		{"the same name in a folder not made yet", []string{"a.md"}, []string{"none/a.md"}, ""},
		{"two other outputs", []string{"a.md"}, []string{"o.md", "p.md"}, ""},
		{"a missing input", []string{"gone.md"}, []string{"gone.md"}, ""},
		{"a device twice", nil, []string{"/dev/null", "/dev/null"}, ""},
		{"standard output twice", []string{"a.md"}, []string{"", ""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &fileSet{}
			for _, in := range tc.in {
				s.input("the input", in)
			}
			for _, out := range tc.out {
				s.output("-o", "the output", out)
			}
			err := s.check()
			switch {
			case err == nil && tc.want != "":
				t.Errorf("no clash, want %q", tc.want)
			case err != nil && err.Error() != tc.want:
				t.Errorf("got  %q\nwant %q", err, tc.want)
			}
		})
	}
}
