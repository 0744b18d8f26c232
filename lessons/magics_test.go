package lessons

import (
	"fmt"
	"testing"
)

// TestSetupMagics: the version a set-up cell defines, the course's
// one-liner (its save_file with or without comment_prefix) or the cell
// labrun export generated (its first line names it); other cells are no
// set-up cells.
func TestSetupMagics(t *testing.T) {
	oneLiner := "# look at tools/set_up_magics.ipynb\nget_ipython().run_cell('%s') #MAGICS_SETUP_END"
	for _, tc := range []struct {
		name, src, want string
		ok              bool
	}{
		{"the 2019 one-liner", fmt.Sprintf(oneLiner, "def save_file(args_str, cell):"), Magics2019, true},
		{"the current one-liner", fmt.Sprintf(oneLiner, `comment_prefix = "%" + line_comment_start`), MagicsCurrent, true},
		{"generated, 2019", GeneratedSetup + " (magics=2019)\nimport os", Magics2019, true},
		{"generated, current", GeneratedSetup + " (magics=current)", MagicsCurrent, true},
		{"generated, an unknown version", GeneratedSetup + " (magics=1999)\n", "", false},
		{"the words elsewhere", "x = 1\n" + GeneratedSetup + " (magics=2019)", "", false},
		{"a Python cell", "print(1)", "", false},
	} {
		got, ok := SetupMagics(tc.src)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: SetupMagics = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
