package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labrun/labrun/render/html/xssvectors"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// settleTime is how long a page is watched after its load event: what
// fires later (onerror of a failed image, autofocus, ontoggle, a meta
// refresh) has fired by then.
const settleTime = 1500 * time.Millisecond

// regexpCSP finds the page's Content-Security-Policy meta element.
var regexpCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?`)

// xssVectors is the corpus of XSS vectors (its header says the format).
var xssVectors = filepath.Join("..", "..", "render", "html", "testdata", "xss-vectors.txt")

// loadXSSVectors reads the vectors, pointing their URLs at url.
func loadXSSVectors(t *testing.T, url, host string) []string {
	t.Helper()
	vs, err := xssvectors.Load(xssVectors, url, host)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// xssLesson is a lesson holding every vector in its prose and, from a
// Python cell, as an HTML display, a Markdown display and printed text.
func xssLesson(vectors []string) string {
	prose := strings.ReplaceAll(strings.Join(vectors, "\n\n"), "\x00", "\uFFFD") // a lesson holds no NUL
	blob, _ := json.Marshal(vectors)
	return "# XSS vectors\n\n" + prose + "\n\n## Displays\n\n```python\n" +
		"import base64, json\nfrom IPython.display import HTML, Markdown, display\n" +
		"for v in json.loads(base64.b64decode('" + base64.StdEncoding.EncodeToString(blob) + "')):\n" +
		"    display(HTML(v))\n    display(Markdown(v))\n    print(v)\n```\n"
}

// pageReport is what a page did in the browser.
type pageReport struct {
	Title    string   `json:"title"`
	Marks    []string `json:"marks"` // data- attributes set on <html> or <body>
	Unsafe   []string `json:"unsafe"`
	Heads    int      `json:"heads"`    // h1 and h2: the prose after the vectors rendered
	Displays int      `json:"displays"` // display outputs
	Dialogs  []string `json:"-"`
	Fetches  []string `json:"-"` // requests for anything but the page itself
	CSP      []string `json:"-"` // Content-Security-Policy violations logged
}

// auditDOM looks, in the browser, at what it built: elements that run,
// fetch or submit, event handlers, links of other schemes (as the
// browser resolved them), images not inlined.
const auditDOM = `(() => {
  const forbidden = new Set(["SCRIPT","STYLE","LINK","META","BASE","IFRAME","FRAME","FRAMESET","OBJECT","EMBED","APPLET",
    "FORM","BUTTON","TEXTAREA","SELECT","VIDEO","AUDIO","SOURCE","TRACK","PICTURE","TEMPLATE","NOSCRIPT","MARQUEE"]);
  const unsafe = [];
  const all = document.body.querySelectorAll("*");
  for (const el of all) {
    if (forbidden.has(el.tagName) || el.namespaceURI !== "http://www.w3.org/1999/xhtml") unsafe.push("element " + el.tagName);
    for (const a of el.attributes) {
      if (/^on/i.test(a.name) || /^(srcset|background|action|formaction|ping|srcdoc|poster|dynsrc|lowsrc)$/i.test(a.name)) unsafe.push(el.tagName + " " + a.name + "=" + a.value);
    }
    // A link the browser cannot resolve (protocol ":") leads nowhere.
    if (el.tagName === "A" && el.hasAttribute("href") && !/^((https?|mailto|file)?):$/.test(el.protocol)) unsafe.push("link " + el.getAttribute("href"));
    if (el.tagName === "IMG" && !el.src.startsWith("data:image/")) unsafe.push("image " + el.getAttribute("src"));
    if (el.tagName === "INPUT" && el.type !== "checkbox") unsafe.push("input " + el.type);
  }
  const marks = Object.keys(document.documentElement.dataset).concat(Object.keys(document.body.dataset));
  return {title: document.title, marks: marks, unsafe: unsafe,
    heads: document.querySelectorAll("h1, h2").length, displays: document.querySelectorAll(".out.display").length};
})()`

// visit loads a page in a new tab of the browser, dismisses any dialog
// (noting it), and reports what the page did.
func visit(t *testing.T, browser context.Context, path string) pageReport {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	var mu sync.Mutex
	var rep pageReport
	self := "file://" + path
	err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			rep.Dialogs = append(rep.Dialogs, string(ev.Type)+": "+ev.Message)
			go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; u != self && !strings.HasPrefix(u, "data:") {
				rep.Fetches = append(rep.Fetches, u)
			}
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				rep.CSP = append(rep.CSP, ev.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(self), chromedp.Sleep(settleTime)); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[pageReport](auditDOM))
	if err != nil {
		t.Fatalf("%s: auditing the DOM: %v", path, err)
	}
	mu.Lock()
	defer mu.Unlock()
	got.Dialogs, got.Fetches, got.CSP = rep.Dialogs, rep.Fetches, rep.CSP
	return got
}

// TestBrowserXSS renders a lesson holding every XSS vector of
// render/html/testdata/xss-vectors.txt (OWASP's filter-evasion list, and
// what an earlier regex sanitizer let through) in its prose and in its
// outputs (HTML and Markdown displays, printed text) the ways labrun does
// — run --html, html of the transcript, html --no-output — and loads each
// page in headless Chromium, as it is and without its
// Content-Security-Policy (so that the sanitizer is tested on its own): no
// script runs (no dialog, no data- mark, the title stays), no request
// leaves the page (the vectors' URLs point at a server that counts), and
// the DOM holds no element or attribute that could run or fetch. A page of
// the raw vectors first shows that each of these checks sees what it looks
// for.
func TestBrowserXSS(t *testing.T) {
	bin := chromiumFor(t)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("document.title='XSS';alert('XSS')"))
	}))
	defer srv.Close()
	vectors := loadXSSVectors(t, srv.URL, strings.TrimPrefix(srv.URL, "http://"))

	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	alloc, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))...)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()

	dir := t.TempDir()
	// The control page leaves out the vectors that navigate away (a meta
	// refresh): the checks of the DOM would read the page they go to. Those
	// that set a mark come first, before any vector left open swallows
	// what follows.
	var staying []string
	for _, v := range vectors {
		switch {
		case strings.Contains(v, "dataset"):
			staying = append([]string{v}, staying...)
		case !strings.Contains(strings.ToLower(v), "refresh"):
			staying = append(staying, v)
		}
	}
	control := filepath.Join(dir, "control.html")
	writeTestFile(t, control, "<!DOCTYPE html>\n<html><head><title>control</title></head><body>\n"+strings.Join(staying, "\n")+"\n</body></html>\n")
	rep := visit(t, browser, control)
	if len(rep.Dialogs) == 0 || len(rep.Marks) == 0 || len(rep.Unsafe) == 0 || len(rep.Fetches) == 0 || hits.Load() == 0 {
		t.Fatalf("the raw vectors in Chromium: %d dialogs, marks %v, %d unsafe, %d fetches, %d hits: the test would not see an attack",
			len(rep.Dialogs), rep.Marks, len(rep.Unsafe), len(rep.Fetches), hits.Load())
	}
	hits.Store(0)

	lesson := filepath.Join(dir, "lesson.md")
	writeTestFile(t, lesson, xssLesson(vectors))
	transcript := filepath.Join(dir, "transcript.md")
	pages := map[string]string{"run --html": filepath.Join(dir, "run.html"), "html": filepath.Join(dir, "html.html"),
		"html --no-output": filepath.Join(dir, "student.html")}
	labrun := labrunBinary(t)
	for _, args := range [][]string{
		{"run", lesson, "-o", transcript, "--html", pages["run --html"], "--timeout", "20s"},
		{"html", transcript, "-o", pages["html"]},
		{"html", transcript, "--no-output", "-o", pages["html --no-output"]},
	} {
		cmd := exec.Command(labrun, args...)
		cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("labrun %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if out, _ := os.ReadFile(transcript); !strings.Contains(string(out), "    <a href=\"javascript:alert('XSS')") {
		t.Fatalf("the transcript lacks the printed vectors: the displays did not run\n%s", out)
	}
	for name, path := range pages {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		meta := regexpCSP.FindString(string(b))
		if meta == "" {
			t.Fatalf("%s: the page declares no Content-Security-Policy", name)
		}
		bare := strings.TrimSuffix(path, ".html") + ".no-csp.html"
		writeTestFile(t, bare, strings.Replace(string(b), meta, "", 1))
		for _, p := range []string{path, bare} {
			what := name
			if p == bare {
				what += " (without its Content-Security-Policy)"
			}
			rep := visit(t, browser, p)
			if rep.Title != "XSS vectors" || len(rep.Marks) > 0 || len(rep.Dialogs) > 0 {
				t.Errorf("%s: script ran: title %q, marks %v, dialogs %q", what, rep.Title, rep.Marks, rep.Dialogs)
			}
			if len(rep.Fetches) > 0 || hits.Load() > 0 {
				t.Errorf("%s: the page fetched %q (%d hits on the server)", what, rep.Fetches, hits.Load())
			}
			if len(rep.Unsafe) > 0 || len(rep.CSP) > 0 {
				t.Errorf("%s: the DOM holds %q; Content-Security-Policy reports %q", what, rep.Unsafe, rep.CSP)
			}
			if want := len(vectors); rep.Heads != 2 || name != "html --no-output" && rep.Displays < want {
				t.Errorf("%s: %d headings (want 2), %d displays (want %d or more): the page did not render", what, rep.Heads, rep.Displays, want)
			}
			hits.Store(0)
		}
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
