package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflowRunner runs a GitHub Actions workflow's jobs here, as far as
// labrun's example workflow needs: a job's matrix (one key), "run:"
// steps under bash as GitHub runs them (-eo pipefail, $GITHUB_PATH,
// $RUNNER_TEMP, $GITHUB_WORKSPACE), labrun's own action (its steps, with
// the step's inputs), the artifacts actions (files copied through a
// folder), checkout and setup-go (nothing to do: the workspace is a copy
// of the course, go is installed), "if: always()", and the expressions
// ${{ matrix.K }}, ${{ env.K }}, ${{ inputs.K }}, ${{ github.action_path }}.
// Anything else fails the test: the runner does not guess.
type workflowRunner struct {
	t         *testing.T
	wf        workflow
	action    actionMeta
	actionDir string // the repository's root, absolute
	artifacts string
}

type workflow struct {
	Env  map[string]string       `yaml:"env"`
	Jobs map[string]*workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	If       string `yaml:"if"`
	Strategy struct {
		Matrix map[string][]string `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

// workflowStep is a step of a job or of a composite action.
type workflowStep struct {
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
}

func newWorkflowRunner(t *testing.T, file string) *workflowRunner {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := &workflowRunner{t: t, artifacts: t.TempDir()}
	if err := yaml.Unmarshal(b, &r.wf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	readYAML(t, "action.yml", &r.action)
	if r.actionDir, err = filepath.Abs(repoRoot); err != nil {
		t.Fatal(err)
	}
	return r
}

// jobRun is one run of a job (one combination of its matrix).
type jobRun struct {
	r      *workflowRunner
	name   string
	matrix map[string]string
	ws     string // $GITHUB_WORKSPACE
	temp   string // $RUNNER_TEMP
	path   []string
	failed bool
}

// runJob runs a job in a fresh copy of course for each value of its
// matrix, one after the other, and returns the last one's workspace.
func (r *workflowRunner) runJob(name, course string) string {
	j := r.wf.Jobs[name]
	if j == nil {
		r.t.Fatalf("the workflow has no job %q", name)
	}
	if j.If != "" && j.If != "always()" {
		r.t.Fatalf("job %s: if: %q: only always() is understood here", name, j.If)
	}
	combos := []map[string]string{{}}
	if len(j.Strategy.Matrix) > 1 {
		r.t.Fatalf("job %s: a matrix of more than one key", name)
	}
	for key, values := range j.Strategy.Matrix {
		combos = nil
		for _, v := range values {
			combos = append(combos, map[string]string{key: v})
		}
	}
	var ws string
	for _, m := range combos {
		run := &jobRun{r: r, name: name, matrix: m, ws: copyTree(r.t, course), temp: r.t.TempDir()}
		for _, s := range j.Steps {
			run.step(s, nil, "")
		}
		ws = run.ws
	}
	return ws
}

// step runs a step; inputs and actionPath are those of the composite
// action the step is of (nil and "" for a workflow's own step).
func (j *jobRun) step(s workflowStep, inputs map[string]string, actionPath string) {
	t := j.r.t
	switch s.If {
	case "":
		if j.failed {
			return
		}
	case "always()":
	default:
		t.Fatalf("step %q: if: %q: only always() is understood here", s.Name, s.If)
	}
	with := map[string]string{}
	for k, v := range s.With {
		with[k] = j.expand(v, inputs, actionPath)
	}
	name, _, _ := strings.Cut(s.Uses, "@")
	switch {
	case s.Run != "":
		j.script(s, inputs, actionPath)
	case name == "./" || name == "labrun/labrun":
		in := map[string]string{}
		for k, v := range j.r.action.Inputs {
			in[k] = v.Default
		}
		for k, v := range with {
			if _, ok := in[k]; !ok {
				t.Fatalf("step %q: the action has no input %q", s.Name, k)
			}
			in[k] = v
		}
		for _, as := range j.r.action.Runs.Steps {
			j.step(as, in, j.r.actionDir)
		}
	case name == "actions/checkout" || name == "actions/setup-go":
	case name == "actions/upload-artifact":
		dst := filepath.Join(j.r.artifacts, with["name"])
		must(t, os.MkdirAll(dst, 0o755))
		src := filepath.Join(j.ws, with["path"])
		b, err := os.ReadFile(src)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dst, filepath.Base(src)), b, 0o644))
	case name == "actions/download-artifact":
		if with["merge-multiple"] != "true" {
			t.Fatalf("step %q: download-artifact without merge-multiple", s.Name)
		}
		j.download(with["pattern"], filepath.Join(j.ws, with["path"]))
	default:
		t.Fatalf("step %q: uses %q: not an action this runner knows", s.Name, s.Uses)
	}
}

// download copies the files of every artifact whose name matches
// pattern into dir.
func (j *jobRun) download(pattern, dir string) {
	t := j.r.t
	must(t, os.MkdirAll(dir, 0o755))
	names, err := os.ReadDir(j.r.artifacts)
	must(t, err)
	for _, a := range names {
		if ok, _ := path.Match(pattern, a.Name()); !ok {
			continue
		}
		files, err := os.ReadDir(filepath.Join(j.r.artifacts, a.Name()))
		must(t, err)
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(j.r.artifacts, a.Name(), f.Name()))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644))
		}
	}
}

// script runs a run step under bash as GitHub does, and takes what it
// added to $GITHUB_PATH.
func (j *jobRun) script(s workflowStep, inputs map[string]string, actionPath string) {
	t := j.r.t
	if s.Shell != "" && s.Shell != "bash" {
		t.Fatalf("step %q: shell %q: only bash here", s.Name, s.Shell)
	}
	file := filepath.Join(j.temp, "step.sh")
	must(t, os.WriteFile(file, []byte(j.expand(s.Run, inputs, actionPath)), 0o644))
	pathFile := filepath.Join(j.temp, "github_path")
	must(t, os.WriteFile(pathFile, nil, 0o644))
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", file)
	cmd.Dir = j.ws
	if s.WorkingDirectory != "" {
		cmd.Dir = j.expand(s.WorkingDirectory, inputs, actionPath)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": j.ws, "RUNNER_TEMP": j.temp,
		"GITHUB_PATH": pathFile, "GITHUB_STEP_SUMMARY": filepath.Join(j.temp, "summary.md"),
		"PATH": strings.Join(append(slices.Clone(j.path), os.Getenv("PATH")), string(os.PathListSeparator))}
	for k, v := range j.r.wf.Env {
		env[k] = j.expand(v, inputs, actionPath)
	}
	for k, v := range s.Env {
		env[k] = j.expand(v, inputs, actionPath)
	}
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	out, err := cmd.CombinedOutput()
	t.Logf("job %s %v, step %q: %v\n%s", j.name, j.matrix, s.Name, err, out)
	if err != nil {
		j.failed = true
	}
	added, err := os.ReadFile(pathFile)
	must(t, err)
	for _, l := range strings.Split(strings.TrimSpace(string(added)), "\n") {
		if l != "" {
			j.path = append([]string{l}, j.path...)
		}
	}
}

// expression is a ${{ ... }} of a workflow.
var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// expand replaces the expressions of s.
func (j *jobRun) expand(s string, inputs map[string]string, actionPath string) string {
	return expression.ReplaceAllStringFunc(s, func(e string) string {
		x := expression.FindStringSubmatch(e)[1]
		ctx, key, _ := strings.Cut(x, ".")
		var v string
		var ok bool
		switch ctx {
		case "matrix":
			v, ok = j.matrix[key]
		case "env":
			v, ok = j.r.wf.Env[key]
		case "inputs":
			v, ok = inputs[key]
		case "github":
			v, ok = actionPath, key == "action_path" && actionPath != ""
		}
		if !ok {
			j.r.t.Fatalf("job %s: %s: an expression this runner cannot give", j.name, e)
		}
		return v
	})
}

// copyTree copies a folder into a new temporary one and returns it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	must(t, err)
	return dst
}

// execIn is a command run in dir.
func execIn(dir, prog string, args ...string) *exec.Cmd {
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	return cmd
}

// exitOf is a finished command's exit status.
func exitOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Errorf("workflow runner: %w", err))
	}
}
