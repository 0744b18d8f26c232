package bench

import "testing"

// TestKeptSections: make bench rewrites its table and keeps the sections
// under a "## " heading that other measurements wrote.
func TestKeptSections(t *testing.T) {
	for _, c := range []struct{ old, want string }{
		{"", ""},
		{"# Benchmarks\n\n| a | b |\n\nSee bench/README.md.\n", ""},
		{"# Benchmarks\n\ntable\n\n## Fidelity\n\nfigures\n\n## More\n\nx\n", "\n## Fidelity\n\nfigures\n\n## More\n\nx\n"},
		{"# Benchmarks\n\na line with ## inside\n", ""},
	} {
		if got := keptSections(c.old); got != c.want {
			t.Errorf("keptSections(%q) = %q, want %q", c.old, got, c.want)
		}
	}
}
