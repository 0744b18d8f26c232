package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// browserTimeout bounds one headless Chromium run.
const browserTimeout = 90 * time.Second

// chromium returns the path of a Chromium the test can drive, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromiumFor returns the Chromium a browser test drives. Without one
// the test is skipped, unless CI is set (.ci/run sets it and installs
// Debian's chromium): there a missing browser fails the test, so that
// the page's checks in a browser cannot silently stop running.
func chromiumFor(t *testing.T) string {
	t.Helper()
	browser := chromium()
	switch {
	case browser != "":
		return browser
	case os.Getenv("CI") != "":
		t.Fatal("CI is set and no Chromium is installed (Debian: apt-get install chromium): the HTML pages must be checked in a browser")
	default:
		t.Skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it): the HTML pages are not checked in a browser")
	}
	return ""
}

// runBrowser runs headless Chromium on a page with extra arguments
// (--dump-dom, --screenshot=FILE) in its own process group, killed
// whole when it ends or times out, and returns its standard output.
func runBrowser(t *testing.T, browser, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	argv := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}, args...)
	argv = append(argv, "file://"+page)
	cmd := exec.CommandContext(ctx, browser, argv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // helpers left behind
	}
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", browser, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// TestBrowser renders each example lesson (examples/*/lesson.md) to HTML
// the two ways labrun does (run --html, with the programs' colours, and
// html of the transcript, with --no-output for students) and loads the
// pages in headless Chromium: the DOM it builds must hold the headings,
// highlighted code, outputs and ending badges, and no script element; a
// screenshot of each page is left in the test's temp dir (-v logs its
// path; LABRUN_SCREENSHOT_DIR=DIR keeps a copy).
func TestBrowser(t *testing.T) {
	browser := chromiumFor(t)
	lessonsFound, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "lesson.md"))
	if len(lessonsFound) == 0 {
		t.Fatal("no example lessons in examples/*/lesson.md")
	}
	bin := labrunBinary(t)
	for _, lesson := range lessonsFound {
		name := filepath.Base(filepath.Dir(lesson))
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			abs, _ := filepath.Abs(lesson)
			transcript := filepath.Join(dir, "transcript.md")
			page := filepath.Join(dir, "page.html")
			student := filepath.Join(dir, "student.html")
			run := exec.Command(bin, "run", abs, "-o", transcript, "--html", page, "--timeout", "10s")
			run.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
			if out, err := run.CombinedOutput(); err != nil {
				t.Fatalf("labrun run: %v\n%s", err, out)
			}
			if out, err := exec.Command(bin, "html", transcript, "--no-output", "-o", student).CombinedOutput(); err != nil {
				t.Fatalf("labrun html: %v\n%s", err, out)
			}

			dom := string(runBrowser(t, browser, page, "--dump-dom"))
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`<h1 id="[^"]+">`),
				regexp.MustCompile(`<nav class="toc">`),
				regexp.MustCompile(`<div class="code" data-lang="(python|cpp|bash)"><pre class="chroma"><code><span class="line"><span class="cl"><span class="[a-z0-9]+">`),
				regexp.MustCompile(`<pre class="out stream">\S`),
				regexp.MustCompile(`<div class="badge ok" data-status="ok"><span class="status">ok · exit 0 · `),
				regexp.MustCompile(`<div class="badge interrupted" data-status="interrupted">`),
				regexp.MustCompile(`<div class="log"><div class="log-title">`),
				regexp.MustCompile(`<span class="log-line log-L"><span class="tag">L</span> \| Process started`),
			} {
				if !want.MatchString(dom) {
					t.Errorf("the DOM of %s has no match for %s", page, want)
				}
			}
			if strings.Contains(strings.ToLower(dom), "<script") {
				t.Errorf("the DOM of %s holds a script element", page)
			}

			sdom := string(runBrowser(t, browser, student, "--dump-dom"))
			if !strings.Contains(sdom, `<h1 id="`) || !strings.Contains(sdom, `class="chroma"`) {
				t.Errorf("the students' page lost its headings or code")
			}
			if strings.Contains(sdom, `class="outputs"`) || strings.Contains(sdom, `class="badge`) {
				t.Errorf("the students' page (--no-output) shows outputs")
			}

			shot := filepath.Join(dir, "page.png")
			runBrowser(t, browser, page, "--screenshot="+shot, "--window-size=1100,2600", "--hide-scrollbars")
			png, err := os.ReadFile(shot)
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
				t.Fatalf("no screenshot at %s: %v", shot, err)
			}
			t.Logf("screenshot of %s: %s (%d bytes)", name, shot, len(png))
			if keep := os.Getenv("LABRUN_SCREENSHOT_DIR"); keep != "" {
				if err := os.WriteFile(filepath.Join(keep, name+".png"), png, 0o644); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
