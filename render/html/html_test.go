package html

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
)

const sample = "# Pipes & `<FIFOs>`\n\nSome **prose**, https://example.com, a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n" +
	"<details><summary>more</summary><script>alert(1)</script><a href=\"javascript:x()\" onclick=\"y()\">k</a></details>\n\n" +
	"```python\n!echo '<script>'\n```\n" +
	marker.Open + " cell=0 kind=python status=ok exit=0 time=0.02s -->\n\n    <script>alert(2)</script>\n    & more\n\n" + marker.Close + "\n\n" +
	"## Stuck \\<here\\>\n\n```cpp\n%%cpp a.c\n%run ./a.exe\nint main() {}\n```\n" +
	marker.Open + " cell=1 kind=file status=interrupted exit=-2 time=0.41s · interrupted after 0.4s: stuck: blocked in open() -->\n\n\nRun: `./a.exe`\n\n\n\n\n\n```\nL | Process started. PID = 7\nO | <b>out</b>\nE | err\nI | in\nL | Process finished. Exit code 0\n\n```\n\n" + marker.Close + "\n"

func renderPage(t *testing.T, p *Page, opts Options) string {
	t.Helper()
	b, err := Render(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRenderTranscript checks what a page made from a labrun transcript
// shows: headings and their table of contents, GFM prose, highlighted
// code, escaped outputs, badges and log panels, and nothing that runs.
func TestRenderTranscript(t *testing.T) {
	page := renderPage(t, FromTranscript("dir/lesson.md", []byte(sample)), Options{})
	for _, want := range []string{
		"<title>Pipes &amp; &lt;FIFOs&gt;</title>",
		`<h1 id="pipes-fifos">`,
		`<a href="#stuck-here">Stuck &lt;here&gt;</a>`,
		"<table>", `type="checkbox"`, `<a href="https://example.com">`,
		`<div class="code" data-lang="python"><pre class="chroma">`,
		`<div class="code" data-lang="cpp">`,
		`<pre class="out stream">&lt;script&gt;alert(2)&lt;/script&gt;` + "\n&amp; more</pre>",
		`<div class="badge ok" data-status="ok"><span class="status">ok · exit 0 · 0.02 s</span></div>`,
		`<div class="badge interrupted" data-status="interrupted"><span class="status">signal 2 · 0.41 s</span> <span class="note">interrupted after 0.4s — stuck: blocked in open()</span></div>`,
		`<div class="out display"><p>Run: <code>./a.exe</code></p>`,
		`<span class="log-line log-O"><span class="tag">O</span> | &lt;b&gt;out&lt;/b&gt;</span>`,
		`<span class="log-line log-E">`, `<span class="log-line log-I">`, `<span class="log-line log-L">`,
		"@media print",
		`<summary>more</summary>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script", "javascript:", "onclick", "<iframe", "http://", "src=\"http"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	student := renderPage(t, FromTranscript("lesson.md", []byte(sample)), Options{NoOutput: true})
	for _, bad := range []string{"outputs", "badge ok", "alert(2)", "Process started"} {
		if strings.Contains(student, `class="`+bad) || strings.Contains(student, bad) && bad != "outputs" && bad != "badge ok" {
			t.Errorf("--no-output page holds %q", bad)
		}
	}
	if strings.Contains(student, `<section class="outputs">`) {
		t.Error("--no-output page has outputs")
	}
}

// TestRenderCourse: a course transcript (no labrun markers) gets its
// outputs set apart too, without badges.
func TestRenderCourse(t *testing.T) {
	src := "\n\n\n# T\n\n\n```python\n!echo hi\n```\n\n    hi\n\n\n\ntext\n"
	page := renderPage(t, FromTranscript("README.md", []byte(src)), Options{})
	if !strings.Contains(page, `<pre class="out stream">hi</pre>`) {
		t.Errorf("no output in\n%s", page)
	}
	if strings.Contains(page, `class="badge`) {
		t.Errorf("a badge without an annotation")
	}
}

// TestRenderColours: a page made from a run shows the colours the
// programs printed as styled spans, and no control byte.
func TestRenderColours(t *testing.T) {
	l, err := lessons.Parse("lesson.md", []byte("# C\n\n```python\n!cmd\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := &transcript.Result{Lesson: l, Cells: []*transcript.CellResult{{
		Cell:   l.Cells[0],
		Status: transcript.OK, Steps: 1, Duration: 20 * time.Millisecond,
		Outputs: []transcript.Output{
			{Kind: transcript.Stream, Text: "\x1b[01;31m\x1b[Kerror:\x1b[m\x1b[K x \x1b[38;5;208mo\x1b[0m \x1b]8;;http://x\x07l\x1b]8;;\x07 a\x00b\n9%\r100%\n"},
			{Kind: transcript.Log, Text: "O | \x1b[32mgreen\x1b[0m"},
		},
	}}}
	page := renderPage(t, FromResult(res), Options{})
	for _, want := range []string{
		`<span class="term" style="color:#cd0000;font-weight:bold">error:</span>`,
		`<span class="term" style="color:#ff8700">o</span>`,
		`<span class="term" style="color:#00cd00">green</span>`,
		" l ab\n100%</pre>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f]").MatchString(page) {
		t.Errorf("page holds a control byte")
	}
}

// FuzzOutputEscaped: whatever a program prints, in a stream, a log or
// a traceback, the page holds no element of the program's making; what
// it displays (HTML, Markdown) holds nothing that could run or fetch.
func FuzzOutputEscaped(f *testing.F) {
	for _, s := range []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`<b>`", "\x1b[31m<i>\x1b[0m", "O | <iframe src=//x>", "[x](javascript:alert(1))",
		"<svg/onload=x()>", "<a href=\"javascript&colon;x()\">", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"} {
		f.Add(s)
	}
	l, err := lessons.Parse("lesson.md", []byte("# C\n\n```python\n!cmd\n```\n"))
	if err != nil {
		f.Fatal(err)
	}
	bad := regexp.MustCompile(`(?i)<(script|iframe|img|object|embed|svg|math|style|link|meta|base|form|input|a\s)`)
	mainOf := func(t *testing.T, outs ...transcript.Output) string {
		res := &transcript.Result{Lesson: l, Cells: []*transcript.CellResult{{Cell: l.Cells[0], Outputs: outs}}}
		b, err := Render(FromResult(res), Options{})
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		return page[strings.Index(page, "<main") : strings.LastIndex(page, "</main>")+len("</main>")]
	}
	f.Fuzz(func(t *testing.T, out string) {
		text := mainOf(t, transcript.Output{Kind: transcript.Stream, Text: out}, transcript.Output{Kind: transcript.Log, Text: out},
			transcript.Output{Kind: transcript.Error, Text: out})
		if m := bad.FindString(text); m != "" {
			t.Fatalf("output %q made element %q in the page", out, m)
		}
		if strings.Contains(strings.ToLower(text), "javascript:") && !strings.Contains(strings.ToLower(out), "javascript:") {
			t.Fatalf("javascript: URL from nowhere")
		}
		shown := mainOf(t, transcript.Output{Kind: transcript.Markdown, Text: out}, transcript.Output{Kind: transcript.HTML, Text: out})
		if u := unsafeHTML(shown); u != "" {
			t.Fatalf("display %q made %s in the page:\n%s", out, u, shown)
		}
	})
}
