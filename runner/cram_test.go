package runner

import (
	"slices"
	"testing"
)

func TestCramEnv(t *testing.T) {
	got := cramEnv([]string{"A=1", "LANG=en_US.UTF-8", "B=2", "CDPATH=/x"}, []string{"LANG=C", "CDPATH=", "TESTFILE=f.t"})
	want := []string{"A=1", "B=2", "LANG=C", "CDPATH=", "TESTFILE=f.t"}
	if !slices.Equal(got, want) {
		t.Errorf("cramEnv = %q, want %q", got, want)
	}
}
