package runner

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// TestWorkerParts: every file of runner/worker is joined into the worker,
// once: a file added and not listed in workerParts would be left out of
// the module that runs.
func TestWorkerParts(t *testing.T) {
	files, err := fs.Glob(workerFiles, "worker/*.py")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(f, "worker/"), ".py"))
	}
	listed := slices.Clone(workerParts)
	slices.Sort(names)
	slices.Sort(listed)
	if !slices.Equal(names, listed) || len(slices.Compact(listed)) != len(workerParts) {
		t.Errorf("runner/worker holds %v; workerParts lists %v: each file once", names, workerParts)
	}
	if n := strings.Count(string(workerSource), "\n# labrun's Python worker (part "); n != len(workerParts)-1 {
		t.Errorf("the joined source holds %d part headers, want one for each part after the first (%d)", n, len(workerParts)-1)
	}
}
