package runner

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/labrun/labrun/lessons"
)

func TestZZExplore(t *testing.T) {
	md, _ := os.ReadFile(os.Getenv("LESSON"))
	l, err := lessons.Parse("lesson.md", md)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{}
	if os.Getenv("TO") != "" {
		opts.Timeout, _ = time.ParseDuration(os.Getenv("TO"))
	}
	opts.NoStuckDetection = os.Getenv("NOSTUCK") != ""
	t0 := time.Now()
	res, err := Run(context.Background(), l, t.TempDir(), opts)
	fmt.Println("err", err, time.Since(t0))
	for _, c := range res.Cells {
		fmt.Printf("=== cell %d %s status=%s exit=%d dur=%v notes=%q\n", c.Cell.Index, c.Cell.Kind, c.Status, c.Exit, c.Duration, c.Notes)
		for _, o := range c.Outputs {
			fmt.Printf("  [%d %s] %q\n", o.Kind, o.Name, o.Text)
		}
	}
}

func TestZZLeft(t *testing.T) {
	t.Setenv("LABRUN_TEST_TAG", fmt.Sprint(time.Now().UnixNano()))
	TestZZExplore(t)
	tag := os.Getenv("LABRUN_TEST_TAG")
	for _, pid := range allPids() {
		if pid != os.Getpid() && hasMarker(pid, "LABRUN_TEST_TAG", tag) {
			pi, _ := readProc(pid)
			c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			t.Errorf("left: %d %c %q", pid, pi.state, c)
		}
	}
}
