package runner

import (
	"os"
	"testing"

	"github.com/labrun/labrun/internal/proc"
)

// TestMain lets the test binary serve as the gate of the steps its tests
// start (proc.MaybeGate returns at once otherwise).
func TestMain(m *testing.M) {
	proc.MaybeGate()
	os.Exit(m.Run())
}
