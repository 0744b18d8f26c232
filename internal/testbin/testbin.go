// Package testbin builds the labrun command once per test process, for
// the tests and benchmarks that run it the way a user does (testbin.go),
// and runs it through a spawner where its max RSS is measured, so that
// the figure is labrun's, not the test process's (spawn.go).
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// BinVar names an environment variable that may hold the path of a
// labrun binary built beforehand: the tests then use it instead of
// building one (so that they can run as a user who has no Go toolchain,
// as .ci/run does for its unprivileged pass).
const BinVar = "LABRUN_TEST_BIN"

// Labrun returns the path of a labrun binary built from this module,
// building it on the first call, or the one BinVar names.
func Labrun() (string, error) {
	if bin := os.Getenv(BinVar); bin != "" {
		return bin, nil
	}
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			built.err = fmt.Errorf("the go tool is not in PATH: %w", err)
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "labrun-test-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "labrun")
		cmd := exec.Command(goTool, "build", "-o", built.bin, "github.com/labrun/labrun/cmd/labrun")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return built.bin, built.err
}

// Cleanup removes the built binary; call it once the tests are done.
func Cleanup() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}
