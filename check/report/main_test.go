package report

import (
	"os"
	"testing"

	"github.com/labrun/labrun/internal/proc"
)

func TestMain(m *testing.M) {
	proc.MaybeGate()
	os.Exit(m.Run())
}
