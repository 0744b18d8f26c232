package proc

import (
	"os"
	"strconv"
	"testing"
)

func TestOwnerGone(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		name string
		gone bool
	}{
		{Owner() + "-3", false},                  // this process: alive
		{Owner(), false},                         // the bare tag
		{self + "-t1-3", true},                   // this pid, another start: reused
		{"999999999-t5-1", true},                 // no such process
		{self + "-1700000000000000000-1", false}, // an older labrun's id: never touched
		{"py-123", false},
		{"", false},
		{"12-t", false},
	} {
		if got := OwnerGone(c.name); got != c.gone {
			t.Errorf("OwnerGone(%q) = %v, want %v", c.name, got, c.gone)
		}
	}
}
