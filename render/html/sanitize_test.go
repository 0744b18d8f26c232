package html

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labrun/labrun/render/html/xssvectors"

	"github.com/labrun/labrun/internal/marker"
	"github.com/labrun/labrun/lessons"
	"github.com/labrun/labrun/transcript"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// evilURL stands for the remote URLs of the vectors in the unit tests.
const evilURL = "http://evil.test:8000"

// loadVectors reads testdata/xss-vectors.txt (its header says the format).
func loadVectors(t testing.TB, url, host string) []string {
	t.Helper()
	vs, err := xssvectors.Load(filepath.Join("testdata", "xss-vectors.txt"), url, host)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// forbidden are elements that run, fetch, submit or embed something, or
// change how the rest of the page is parsed.
var forbidden = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Link: true, atom.Meta: true, atom.Base: true,
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true, atom.Object: true, atom.Embed: true,
	atom.Applet: true, atom.Param: true, atom.Form: true, atom.Button: true, atom.Textarea: true,
	atom.Select: true, atom.Video: true, atom.Audio: true, atom.Source: true, atom.Track: true,
	atom.Picture: true, atom.Svg: true, atom.Math: true, atom.Template: true, atom.Noscript: true,
	atom.Xmp: true, atom.Title: true, atom.Body: true, atom.Head: true, atom.Html: true,
	atom.Marquee: true, atom.Isindex: true, atom.Bgsound: true, atom.Image: true,
}

// fetchAttr are attributes that load or submit to a URL.
var fetchAttr = map[string]bool{
	"srcset": true, "background": true, "dynsrc": true, "lowsrc": true, "poster": true,
	"action": true, "formaction": true, "data": true, "ping": true, "srcdoc": true,
	"xlink:href": true, "http-equiv": true, "codebase": true, "archive": true,
}

// urlJunk is what a browser drops from a URL before reading its scheme:
// tabs and newlines anywhere, C0 controls and spaces around it.
var urlJunk = strings.NewReplacer("\t", "", "\n", "", "\r", "")

// safeLink: http, https, mailto or no scheme at all.
var safeLink = regexp.MustCompile(`^(?:(?:https?|mailto):|[^:/?#]*(?:[/?#]|$))`)

// unsafeHTML parses s as a browser does (the HTML5 tree builder, inside
// a <body>) and says what in it could run or fetch something: a
// forbidden element, an event handler, an attribute that fetches, a link
// of another scheme, an image not inlined as data:, a style that loads
// or computes. "" when nothing.
func unsafeHTML(s string) string {
	ctx := &nethtml.Node{Type: nethtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := nethtml.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return "unparsable: " + err.Error()
	}
	var bad string
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		if bad != "" {
			return
		}
		if n.Type == nethtml.ElementNode {
			bad = unsafeElement(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

func unsafeElement(n *nethtml.Node) string {
	if n.Namespace != "" || forbidden[n.DataAtom] {
		return "element " + n.Namespace + " " + n.Data
	}
	if n.DataAtom == atom.Input {
		for _, a := range n.Attr {
			if a.Key == "type" && a.Val != "checkbox" {
				return "input of type " + a.Val
			}
		}
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		val := strings.ToLower(strings.TrimFunc(urlJunk.Replace(a.Val), func(r rune) bool { return r <= ' ' }))
		switch {
		case strings.HasPrefix(key, "on") || fetchAttr[key] || a.Namespace != "":
			return "attribute " + a.Key + " on " + n.Data
		case key == "href" && !safeLink.MatchString(val):
			return "link " + a.Val
		case key == "src" && (n.DataAtom != atom.Img || !strings.HasPrefix(val, "data:image/")):
			return "source " + a.Val + " on " + n.Data
		case key == "style" && regexp.MustCompile(`url|expression|binding|behavior|image|@|\\`).MatchString(val):
			return "style " + a.Val
		}
	}
	return ""
}

// TestUnsafeHTML: the test's own judge finds what it must, so that the
// tests that rely on it can fail.
func TestUnsafeHTML(t *testing.T) {
	for _, s := range []string{
		`<svg/onload="document.body.dataset.x=1">`, `<a href="javascript&colon;x()">`, `<a href=" java&#9;script:x()">`,
		`<img src="http://x/i.png">`, `<form action=x>`, `<p style="background:url(x)">`, `<div onclick=x>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, `<input type=image>`,
		`<a href="VBScript:x">`, `<a href="data:text/html,x">`, `<img src="data:text/html,x">`,
	} {
		if unsafeHTML(s) == "" {
			t.Errorf("unsafeHTML finds nothing in %s", s)
		}
	}
	for _, s := range []string{`<a href="https://x">`, `<a href="#top">`, `<a href="../a.md">`, `<a href="mailto:a@b">`,
		`<img src="data:image/png;base64,iVBORw0KGgo=">`, `<p style="color: red">`, `<input type="checkbox" disabled>`} {
		if bad := unsafeHTML(s); bad != "" {
			t.Errorf("unsafeHTML finds %s in %s", bad, s)
		}
	}
}

// TestSanitizeVectors passes every XSS vector through each way HTML
// reaches the page — the lesson's prose, a program's HTML display, a
// Markdown display, and a transcript read back — and finds nothing in
// the page that could run or fetch, nor a request to the vectors' URL.
func TestSanitizeVectors(t *testing.T) {
	vectors := loadVectors(t, evilURL, "evil.test:8000")
	if len(vectors) < 100 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		if bad := unsafeHTML(sanitize(v)); bad != "" {
			t.Errorf("sanitize(%q) keeps %s: %s", v, bad, sanitize(v))
		}
		if bad := unsafeHTML(sanitizeDisplay(v)); bad != "" {
			t.Errorf("sanitizeDisplay(%q) keeps %s: %s", v, bad, sanitizeDisplay(v))
		}
	}
	// A lesson holds no NUL (labrun refuses it as binary); CommonMark
	// reads one as U+FFFD.
	prose := strings.ReplaceAll(strings.Join(vectors, "\n\n"), "\x00", "\uFFFD")
	l, err := lessons.Parse("lesson.md", []byte("# X\n\n"+prose+"\n\n```python\nshow()\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	var outs []transcript.Output
	for _, v := range vectors {
		outs = append(outs, transcript.Output{Kind: transcript.HTML, Text: v}, transcript.Output{Kind: transcript.Markdown, Text: v})
	}
	res := &transcript.Result{Lesson: l, Cells: []*transcript.CellResult{{Cell: l.Cells[0], Outputs: outs}}}
	page := renderPage(t, FromResult(res), Options{})
	checkPage(t, "run --html", page)
	checkPage(t, "html of the transcript", renderPage(t, FromTranscript("t.md", transcriptOf(t, res)), Options{}))
	checkPage(t, "--no-output", renderPage(t, FromResult(res), Options{NoOutput: true}))
}

// transcriptOf is the transcript labrun writes for a result.
func transcriptOf(t *testing.T, res *transcript.Result) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(string(res.Lesson.Source))
	b.WriteString(marker.OpenLine("cell=1 kind=python status=ok time=0.01s") + "\n")
	for _, o := range res.Cells[0].Outputs {
		b.WriteString("\n\n" + o.Text + "\n\n")
	}
	b.WriteString(marker.Close + "\n")
	return []byte(b.String())
}

// checkPage: the body of a whole page holds nothing unsafe and no URL
// of the vectors' server but as a link.
func checkPage(t *testing.T, what, page string) {
	t.Helper()
	body := page[strings.Index(page, "<body>")+len("<body>") : strings.LastIndex(page, "</body>")]
	if bad := unsafeHTML(body); bad != "" {
		t.Errorf("%s: the page keeps %s", what, bad)
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:;`) {
		t.Errorf("%s: the page declares no Content-Security-Policy", what)
	}
}

// TestSanitizeKeeps: what lessons legitimately write (the course's
// anchors, coloured links, aligned divs, sized tables, <details>, data:
// images, links) stays as it was, and what would be fetched becomes a
// link to its source.
func TestSanitizeKeeps(t *testing.T) {
	for in, want := range map[string]string{
		`<a name="hw"></a>`:                                                                               `<a name="hw"></a>`,
		`<a href="#hw" style="color:#856024">ДЗ</a>`:                                                      `<a href="#hw" style="color: #856024">ДЗ</a>`,
		`<div style="text-align: right">x</div>`:                                                          `<div style="text-align: right">x</div>`,
		`<table width=100%  ><tr><th width=15%>a</th></tr>`:                                               `<table width="100%"><tr><th width="15%">a</th></tr>`,
		`<details><summary>more</summary>text</details>`:                                                  `<details><summary>more</summary>text</details>`,
		`<a href="https://ya.ru/a?b=1&amp;c=2">ya</a>`:                                                    `<a href="https://ya.ru/a?b=1&amp;c=2">ya</a>`,
		`<a href="/client?contest_id=19">c</a>`:                                                           `<a href="/client?contest_id=19">c</a>`,
		`<a href="mailto:t@example.org">m</a>`:                                                            `<a href="mailto:t@example.org">m</a>`,
		`<b>bold</b><br><s>no</s><pre><code>x</code></pre>`:                                               `<b>bold</b><br><s>no</s><pre><code>x</code></pre>`,
		`<img src="data:image/png;base64,iVBORw0KGgo=" alt="p">`:                                          `<img src="data:image/png;base64,iVBORw0KGgo=" alt="p">`,
		`<img src="poll.png" width="100%"  align="left" alt="Опрос">`:                                     `<a class="unloaded" href="poll.png" title="not loaded: the page fetches nothing">image: Опрос</a>`,
		`<a href="https://youtu.be/x"><img src="https://img.youtube.com/vi/x/0.jpg" alt="Видео"></a>`:     `<a href="https://youtu.be/x">[image: Видео]</a>`,
		"<iframe\n    width=\"640\"\n    src=\"https://example.org/page\"\n></iframe>":                    `<a class="unloaded" href="https://example.org/page" title="not loaded: the page fetches nothing">page: https://example.org/page</a>`,
		`<img src="https://example.org/i.png" width="10"/>`:                                               `<a class="unloaded" href="https://example.org/i.png" title="not loaded: the page fetches nothing">image: i.png</a>`,
		`<details> <summary> output </summary> <pre><code>it&#x27;s &quot;q&quot;</code></pre></details>`: `<details> <summary> output </summary> <pre><code>it&#39;s &#34;q&#34;</code></pre></details>`,
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%s)\n got %s\nwant %s", in, got, want)
		}
	}
}

// TestCorpusPages: every lesson of the course corpus renders to a page
// that keeps its headings, tables, <details> and links and holds nothing
// unsafe.
func TestCorpusPages(t *testing.T) {
	found, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "caos", "*", "*", "README.md"))
	if len(found) == 0 {
		t.Skip("no course corpus at ../shared/corpus")
	}
	for _, f := range found {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		page := renderPage(t, FromTranscript(f, src), Options{})
		checkPage(t, f, page)
		for _, tag := range []string{"<details", "<summary", "<table", "<th"} {
			if in, out := strings.Count(proseOf(src), tag), strings.Count(page, tag); out < in {
				t.Errorf("%s: %d %s> in the lesson's prose, %d on the page", f, in, tag, out)
			}
		}
	}
}

// proseOf is a lesson without its fenced code.
func proseOf(src []byte) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(l, "```") {
			in = !in
			continue
		}
		if !in && !strings.HasPrefix(l, "    ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestDisplayBoxed: a display's unclosed or stray tags stay inside its
// box, while the lesson's <details> may still span a cell.
func TestDisplayBoxed(t *testing.T) {
	src := "# B\n\n<details><summary>solution</summary>\n\n```python\nshow()\n```\n" +
		marker.OpenLine("cell=1 kind=python status=ok time=0.01s") + "\n\n\n</div></section><h1>fake</h1><table><tr><td>cell\n\n" + marker.Close + "\n\n</details>\n\nafter\n"
	page := renderPage(t, FromTranscript("b.md", []byte(src)), Options{})
	doc, err := nethtml.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var details, out *nethtml.Node
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		for _, a := range n.Attr {
			if a.Key == "class" && a.Val == "out display" {
				out = n
			}
		}
		if n.DataAtom == atom.Details {
			details = n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if details == nil || out == nil {
		t.Fatalf("no <details> or no display in\n%s", page)
	}
	if !within(out, details) {
		t.Errorf("the display is not inside the lesson's <details>:\n%s", page)
	}
	if !strings.Contains(page, `<div class="out display"><h1>fake</h1><table><tbody><tr><td>cell</td></tr></tbody></table></div>`) {
		t.Errorf("the display's tags are not closed inside it:\n%s", page)
	}
}

func within(n, ancestor *nethtml.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == ancestor {
			return true
		}
	}
	return false
}
