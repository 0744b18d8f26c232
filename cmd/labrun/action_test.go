package main

// The GitHub Action (action.yml), the example workflow
// (examples/github/course.yml) and the pre-commit hook
// (.pre-commit-hooks.yaml): actionlint lints the workflows, the action's
// metadata is checked for what actionlint does not lint, and the example
// workflow is run here, job by job, as GitHub would run it (workflow_test.go:
// workflowRunner).

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository's root, seen from this package.
var repoRoot = filepath.Join("..", "..")

// actionMeta is action.yml as far as the tests read it.
type actionMeta struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string         `yaml:"using"`
		Steps []workflowStep `yaml:"steps"`
	} `yaml:"runs"`
}

// readYAML decodes a YAML file of the repository into v.
func readYAML(t *testing.T, rel string, v any) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return b
}

// TestActionLint lints, with actionlint, the example workflow and a
// workflow that uses the action at the repository's root (uses: ./)
// with every one of its inputs: actionlint checks a local action's
// inputs against its action.yml.
func TestActionLint(t *testing.T) {
	var meta actionMeta
	readYAML(t, "action.yml", &meta)
	var with strings.Builder
	for _, name := range slices.Sorted(maps.Keys(meta.Inputs)) {
		fmt.Fprintf(&with, "          %s: %q\n", name, "x")
	}
	uses := "name: uses the action\non: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n" +
		"      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n" + with.String()
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	project, err := actionlint.NewProject(abs)
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join(repoRoot, "examples", "github", "course.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string][]byte{"examples/github/course.yml": example, ".github/workflows/uses-action.yml": []byte(uses)} {
		var out bytes.Buffer
		l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		errs, err := l.Lint(filepath.Join(abs, name), src, project)
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) > 0 {
			t.Errorf("actionlint: %s: %d problems:\n%s\n%s", name, len(errs), out.String(), src)
		}
	}
	// the linter does find a mistake in such a workflow: an input the
	// action does not have
	var out bytes.Buffer
	l, _ := actionlint.NewLinter(&out, &actionlint.LinterOptions{})
	bad := strings.Replace(uses, "with:\n", "with:\n          no-such-input: x\n", 1)
	if errs, err := l.Lint(filepath.Join(abs, ".github/workflows/bad.yml"), []byte(bad), project); err != nil || len(errs) == 0 {
		t.Errorf("actionlint found nothing wrong with an input the action lacks (%v)", err)
	}
}

// TestActionMetadata checks what actionlint does not: action.yml is a
// composite action, every run step says its shell, every input is
// documented and handed to a step, and every input a step reads is
// declared; the pre-commit hook checks the staged lessons.
func TestActionMetadata(t *testing.T) {
	var meta actionMeta
	src := readYAML(t, "action.yml", &meta)
	if meta.Runs.Using != "composite" {
		t.Errorf("runs.using is %q, want composite", meta.Runs.Using)
	}
	if meta.Name == "" || meta.Description == "" {
		t.Errorf("the action has no name or description")
	}
	for i, s := range meta.Runs.Steps {
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %d (%s) runs a script with no shell:", i+1, s.Name)
		}
		if s.Run == "" && s.Uses == "" {
			t.Errorf("step %d (%s) neither runs nor uses", i+1, s.Name)
		}
	}
	for name, in := range meta.Inputs {
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %q is not documented", name)
		}
		if !strings.Contains(string(src), "${{ inputs."+name+" }}") {
			t.Errorf("input %q is handed to no step", name)
		}
	}
	for _, m := range regexp.MustCompile(`\$\{\{\s*inputs\.([\w-]+)\s*\}\}`).FindAllStringSubmatch(string(src), -1) {
		if _, ok := meta.Inputs[m[1]]; !ok {
			t.Errorf("a step reads input %q, which the action does not declare", m[1])
		}
	}
	for _, want := range []string{"paths", "shard", "jobs", "rerun-fails", "junit", "json"} {
		if _, ok := meta.Inputs[want]; !ok {
			t.Errorf("no input %q", want)
		}
	}
	if !strings.Contains(string(src), "${{ github.action_path }}") {
		t.Errorf("the action does not build labrun from its own source (github.action_path)")
	}

	var hooks []struct {
		ID, Name, Entry, Language, Files string
	}
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	files, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == "" || h.Entry != "labrun check" || (h.Language != "golang" && h.Language != "system") ||
		!files.MatchString("lessons/fifo/README.md") || files.MatchString("cmd/labrun/main.go") {
		t.Errorf("the pre-commit hook is not one that checks staged lessons: %+v", h)
	}
}

// TestActionWorkflowShards runs the example workflow's jobs here, as
// GitHub would: its check job once for each shard of its matrix (the
// action's own steps for its "uses:", which build labrun from this
// repository), then the job that merges the shards' reports; the merged
// JUnit report equals the one of an unsharded check but for times.
func TestActionWorkflowShards(t *testing.T) {
	if testing.Short() {
		t.Skip("builds labrun, checks a course four times")
	}
	r := newWorkflowRunner(t, filepath.Join(repoRoot, "examples", "github", "course.yml"))
	if shards := r.wf.Jobs["check"].Strategy.Matrix["shard"]; len(shards) != 3 {
		t.Fatalf("the check job's matrix has shards %v, want 3", shards)
	}
	course := filepath.Join(repoRoot, "testdata", "action", "course")
	r.runJob("check", course)
	ws := r.runJob("report", course)
	merged, err := os.ReadFile(filepath.Join(ws, "labrun.xml"))
	if err != nil {
		t.Fatalf("the report job wrote no labrun.xml: %v", err)
	}

	whole := copyTree(t, course)
	cmd := execIn(whole, labrunBinary(t), "check", "--junit", "whole.xml", r.wf.Env["LESSONS"])
	out, err := cmd.CombinedOutput()
	if exitOf(err) != 1 { // the course's one stale lesson fails
		t.Fatalf("labrun check of the whole course: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(whole, "whole.xml"))
	if err != nil {
		t.Fatal(err)
	}
	times := regexp.MustCompile(`time="[^"]*"`)
	if g, w := times.ReplaceAll(merged, []byte(`time=""`)), times.ReplaceAll(want, []byte(`time=""`)); !bytes.Equal(g, w) {
		t.Errorf("the shards' merged report:\n%s\nthe whole course's:\n%s", g, w)
	}
	if !bytes.Contains(want, []byte(`<testsuite name="lessons/more/d.md" tests="1" failures="1"`)) || bytes.Count(want, []byte("<testsuite ")) != 4 {
		t.Errorf("the whole course's report is not of its four lessons, one failing:\n%s", want)
	}
	for k := 1; k <= 3; k++ {
		if _, err := os.Stat(filepath.Join(r.artifacts, fmt.Sprintf("labrun-%d", k), fmt.Sprintf("labrun-%d.xml", k))); err != nil {
			t.Errorf("shard %d kept no report: %v", k, err)
		}
	}
}
