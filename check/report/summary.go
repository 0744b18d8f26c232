package report

import (
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labrun/labrun/check"
	"github.com/labrun/labrun/internal/termtext"
)

// StepSummary is the handler of GitHub Actions' job summary: when the
// suite is over it appends to the file $GITHUB_STEP_SUMMARY names a
// Markdown table of the totals (lessons, passed, failed, flaky, skipped,
// and updated when --update mended cells) and one of the failing cells, each linked to its line, in the order of
// the lessons given to the suite.
type StepSummary struct {
	path string
	env  func(string) string
	ends map[int]check.LessonEnded
}

// NewStepSummary appends the summary to the file path; env reads
// GitHub's variables, which say where a line's link points
// (LinkBase).
func NewStepSummary(path string, env func(string) string) *StepSummary {
	return &StepSummary{path: path, env: env, ends: map[int]check.LessonEnded{}}
}

// Handle keeps a lesson's end.
func (s *StepSummary) Handle(ev check.Event) {
	if e, ok := ev.(check.LessonEnded); ok {
		s.ends[e.Index] = e
	}
}

// Finish appends the summary to the file.
func (s *StepSummary) Finish(t check.Totals) error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	s.write(f, t)
	if err := f.Close(); err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return nil
}

// write writes the summary's Markdown.
func (s *StepSummary) write(w io.Writer, t check.Totals) {
	fmt.Fprintf(w, "### labrun check: %s\n\n", t.Line())
	head, rule := "| lessons | passed | failed | flaky | skipped |", "| ---: | ---: | ---: | ---: | ---: |"
	row := fmt.Sprintf("| %d | %d | %d | %d | %d |", len(s.ends), t.Passed, t.Failed, t.Flaky, t.Skipped)
	if t.Updated > 0 {
		head, rule, row = head+" updated |", rule+" ---: |", row+fmt.Sprintf(" %d |", t.Updated)
	}
	fmt.Fprintf(w, "%s\n%s\n%s\n\n", head, rule, row)
	var rows []string
	base := LinkBase(s.env)
	for _, i := range slices.Sorted(maps.Keys(s.ends)) {
		e := s.ends[i]
		for _, p := range lessonProblems(e) {
			rows = append(rows, fmt.Sprintf("| %s | | %s |", cellLink(base, e.Path, p.line), mdCell(p.msg)))
		}
		if e.Report == nil {
			continue
		}
		for _, c := range e.Report.Cells {
			if c.Verdict == check.NotFinished || c.Verdict == check.Fail && !e.Mended(c) {
				reason := c.Reason.String()
				if c.How != "" {
					reason += " (the cell ended: " + termtext.Inert(c.How) + ")"
				}
				rows = append(rows, fmt.Sprintf("| %s | %d | %s |", cellLink(base, e.Path, c.Line), c.Number, mdCell(reason)))
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "| failed | cell | why |")
	fmt.Fprintln(w, "| --- | ---: | --- |")
	fmt.Fprintln(w, strings.Join(rows, "\n"))
	fmt.Fprintln(w)
}

// LinkBase is where the summary's links to lessons point: the commit's
// files on GitHub ($GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/)
// when those are set, "" (links relative to the page) otherwise.
func LinkBase(env func(string) string) LinkTarget {
	t := LinkTarget{Workspace: env("GITHUB_WORKSPACE")}
	server, repo, sha := env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_SHA")
	if server != "" && repo != "" && sha != "" {
		t.Base = strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
	}
	return t
}

// LinkTarget says how a lesson's path becomes a link.
type LinkTarget struct {
	// Base is prefixed to the path ("" for a relative link).
	Base string
	// Workspace is the checkout the paths are relative to (GitHub's
	// $GITHUB_WORKSPACE; "": the current folder).
	Workspace string
}

// cellLink is a Markdown link to a line of a lesson ("path:LINE", to
// path#LLINE); line 0 links the file.
func cellLink(t LinkTarget, path string, line int) string {
	target, text := t.Base+(&url.URL{Path: RepoPath(t.Workspace, path)}).EscapedPath(), path
	if line > 0 {
		target += fmt.Sprintf("#L%d", line)
		text += fmt.Sprintf(":%d", line)
	}
	return fmt.Sprintf("[%s](%s)", mdCell(text), target)
}

// RepoPath is a lesson's path as the repository names it: relative to
// the checkout workspace (GitHub's $GITHUB_WORKSPACE) when the lesson
// lies in it, else as given; cleaned, with forward slashes.
func RepoPath(workspace, path string) string {
	rel := filepath.ToSlash(filepath.Clean(path))
	if workspace != "" {
		if abs, err := filepath.Abs(path); err == nil {
			if r, err := filepath.Rel(workspace, abs); err == nil && !strings.HasPrefix(r, "..") {
				rel = filepath.ToSlash(r)
			}
		}
	}
	return rel
}

// mdCell makes text safe in a Markdown table cell: one line, "|" and
// the link brackets escaped.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
	return strings.NewReplacer(`|`, `\|`, `[`, `\[`, `]`, `\]`, `<`, `&lt;`).Replace(s)
}
