package html

import (
	"fmt"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2/styles"
)

// Options change what the page shows.
type Options struct {
	// NoOutput leaves out outputs and badges: the students' version.
	NoOutput bool
}

// writer accumulates a page.
type writer struct {
	b  strings.Builder
	md *markdown
}

// Render returns the page as one self-contained HTML document.
func Render(p *Page, opts Options) ([]byte, error) {
	w := &writer{md: newMarkdown()}
	var body strings.Builder
	for i, part := range p.Parts {
		s, err := w.md.renderProse(part.Markdown)
		if err != nil {
			return nil, fmt.Errorf("%s: part %d: %w", p.Name, i, err)
		}
		body.WriteString(s)
		if !opts.NoOutput {
			w.b.Reset()
			if err := w.writeOutputs(part); err != nil {
				return nil, fmt.Errorf("%s: part %d: %w", p.Name, i, err)
			}
			body.WriteString(w.b.String())
		}
	}
	title := p.Name
	for _, h := range w.md.headings {
		if h.text != "" {
			title = h.text
			break
		}
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString(`<meta http-equiv="Content-Security-Policy" content="` + html.EscapeString(ContentSecurityPolicy) + `">` + "\n")
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">` + "\n")
	b.WriteString(`<meta name="generator" content="labrun">` + "\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title>\n<style>\n")
	b.WriteString(pageCSS)
	if err := formatter.WriteCSS(&b, styles.Get(codeStyle)); err != nil {
		return nil, err
	}
	b.WriteString("</style>\n</head>\n<body>\n")
	class := "lesson"
	if opts.NoOutput {
		class += " no-output"
	}
	b.WriteString(toc(w.md.headings))
	b.WriteString(`<main class="` + class + `">` + "\n")
	b.WriteString(body.String())
	b.WriteString("</main>\n")
	b.WriteString(`<footer>` + html.EscapeString(p.Name) + ` · rendered by labrun</footer>` + "\n")
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String()), nil
}

// toc lists the headings, indented by level.
func toc(hs []heading) string {
	if len(hs) == 0 {
		return ""
	}
	top := 6
	for _, h := range hs {
		top = min(top, h.level)
	}
	var b strings.Builder
	b.WriteString(`<nav class="toc"><h2 class="toc-title">Contents</h2><ul>` + "\n")
	for _, h := range hs {
		fmt.Fprintf(&b, `<li class="toc-%d"><a href="#%s">%s</a></li>`+"\n", h.level-top+1, html.EscapeString(h.id), html.EscapeString(h.text))
	}
	b.WriteString("</ul></nav>\n")
	return b.String()
}

// pageCSS lays out the page on screen and on paper.
const pageCSS = `:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --code-bg: #f6f8fa;
  --out-fg: #1f2328; --out-bg: #fffdf5; --out-edge: #d4a72c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.55 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main.lesson { max-width: 56rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
nav.toc { max-width: 56rem; margin: 1.5rem auto 0; padding: 0.75rem 2rem; border-bottom: 1px solid var(--border); }
nav.toc .toc-title { font-size: 1rem; margin: 0 0 0.4rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
nav.toc ul { list-style: none; margin: 0; padding: 0; columns: 2; column-gap: 2rem; }
nav.toc li { margin: 0.1rem 0; break-inside: avoid; }
nav.toc .toc-2 { padding-left: 1rem; } nav.toc .toc-3 { padding-left: 2rem; } nav.toc .toc-4, nav.toc .toc-5, nav.toc .toc-6 { padding-left: 3rem; font-size: 0.9em; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.6em; }
h1 { font-size: 2em; border-bottom: 1px solid var(--border); padding-bottom: 0.3em; }
h2 { font-size: 1.5em; border-bottom: 1px solid var(--border); padding-bottom: 0.3em; }
code, pre { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.875rem; }
:not(pre) > code { background: var(--code-bg); padding: 0.1em 0.35em; border-radius: 4px; }
pre { margin: 0; padding: 0.8rem 1rem; overflow-x: auto; line-height: 1.45; tab-size: 4; }
.code, pre.code { margin: 1rem 0 0; border: 1px solid var(--border); border-radius: 6px; background: var(--code-bg); }
.code pre.chroma { background: transparent; }
.code .chroma .err { color: #8250df; background: none; } /* ! and $ of IPython lines, not errors */
table { border-collapse: collapse; margin: 1rem 0; } th, td { border: 1px solid var(--border); padding: 0.3rem 0.7rem; }
blockquote { margin: 1rem 0; padding: 0 1em; color: var(--muted); border-left: 0.25em solid var(--border); }
img { max-width: 100%; }
section.outputs { margin: 0 0 1.2rem 1.2rem; padding: 0.5rem 0 0.2rem 0.8rem; border-left: 3px solid var(--out-edge); }
section.outputs::before { content: "output"; display: block; font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
pre.out { margin: 0.4rem 0; background: var(--out-bg); color: var(--out-fg); border: 1px solid #eee3c4; border-radius: 4px; white-space: pre-wrap; word-break: break-word; }
pre.out.stderr { border-left: 3px solid #cf222e; }
pre.out.error { background: #ffebe9; border-color: #ffcecb; }
a.unloaded { padding: 0 0.3em; border: 1px dashed var(--border); border-radius: 4px; color: var(--muted); }
div.out.display { margin: 0.4rem 0; } div.out.display p { margin: 0.3rem 0; }
.badge { display: inline-block; margin: 0.2rem 0; padding: 0.1rem 0.6rem; border-radius: 1em; font-size: 0.8rem; border: 1px solid; }
.badge.ok { color: #1a7f37; border-color: #1a7f37; background: #dafbe1; }
.badge.fail { color: #9a6700; border-color: #bf8700; background: #fff8c5; }
.badge.error { color: #cf222e; border-color: #cf222e; background: #ffebe9; }
.badge.interrupted { color: #bc4c00; border-color: #bc4c00; background: #fff1e5; }
.badge.skipped { color: var(--muted); border-color: var(--border); background: #f6f8fa; }
.badge .note { font-style: italic; }
.log { margin: 0.5rem 0; border: 1px solid #8c959f; border-radius: 6px; overflow: hidden; }
.log .log-title { padding: 0.2rem 0.8rem; background: #24292f; color: #f6f8fa; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.05em; }
.log pre { background: #f6f8fa; white-space: pre-wrap; }
.log-line .tag { display: inline-block; width: 1.2em; text-align: center; font-weight: bold; border-radius: 3px; }
.log-L { color: #59636e; } .log-L .tag { background: #d1d9e0; }
.log-O .tag { background: #dafbe1; color: #1a7f37; }
.log-E { color: #9a2a1f; } .log-E .tag { background: #ffebe9; color: #cf222e; }
.log-I { color: #0550ae; } .log-I .tag { background: #ddf4ff; }
footer { max-width: 56rem; margin: 0 auto; padding: 1rem 2rem 2rem; color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--border); }
@media print {
  body { font-size: 11pt; }
  nav.toc { page-break-after: always; border: none; }
  nav.toc ul { columns: 1; }
  main.lesson { max-width: none; padding: 0; }
  a { color: inherit; }
  pre, .code, .log, section.outputs, .badge { page-break-inside: avoid; break-inside: avoid; }
  pre { white-space: pre-wrap; word-break: break-word; overflow: visible; }
  h1, h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  footer { display: none; }
  .badge, .log .log-title, pre.out { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
