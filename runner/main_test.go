package runner

import (
	"os"
	"testing"

	"github.com/labrun/labrun/internal/proc"
)

// TestMain lets the test binary serve as the gate of the steps its tests
// start (proc.MaybeGate returns at once otherwise), and makes it reap, as
// labrun does: the tests run lessons in-process.
func TestMain(m *testing.M) {
	proc.MaybeGate()
	proc.Reap()
	os.Exit(m.Run())
}
