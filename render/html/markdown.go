package html

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// codeStyle is chroma's style for code; its CSS classes are written once
// into the page's style sheet.
const codeStyle = "github"

// heading is an entry of the table of contents.
type heading struct {
	level int
	id    string
	text  string
}

// markdown renders Markdown to HTML with shared heading ids, collecting
// headings for the table of contents.
type markdown struct {
	prose    goldmark.Markdown // the lesson's prose
	display  goldmark.Markdown // displays a program produced
	ids      *headingIDs
	headings []heading
}

func newMarkdown() *markdown {
	m := &markdown{ids: &headingIDs{used: map[string]int{}}}
	code := renderer.WithNodeRenderers(util.Prioritized(codeRenderer{}, 100))
	m.prose = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe(), code),
	)
	m.display = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe(), code),
	)
	return m
}

// renderProse renders lesson text and notes its headings.
func (m *markdown) renderProse(src string) (string, error) {
	source := []byte(src)
	ctx := parser.NewContext(parser.WithIDs(m.ids))
	doc := m.prose.Parser().Parse(text.NewReader(source), parser.WithContext(ctx))
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			m.headings = append(m.headings, heading{h.Level, string(idb), plainText(h, source)})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	var b bytes.Buffer
	if err := m.prose.Renderer().Render(&b, source, doc); err != nil {
		return "", err
	}
	return sanitize(b.String()), nil
}

// renderDisplay renders a Markdown display output (a transcript gives
// back HTML displays as Markdown too), its HTML sanitized as the
// prose's is.
func (m *markdown) renderDisplay(src string) (string, error) {
	var b bytes.Buffer
	if err := m.display.Convert([]byte(src), &b); err != nil {
		return "", err
	}
	return sanitizeDisplay(b.String()), nil
}

// plainText is the text of an inline tree.
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(util.UnescapePunctuations(t.Segment.Value(source)))
			if t.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// headingIDs makes heading ids from their text, keeping letters of every
// script (the course writes Russian headings), unique across the page.
type headingIDs struct{ used map[string]int }

// Generate implements parser.IDs.
func (h *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(string(value)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	if n, ok := h.used[id]; ok {
		h.used[id] = n + 1
		id += "-" + strconv.Itoa(n+1)
	}
	h.used[id] = 0
	return []byte(id)
}

// Put implements parser.IDs.
func (h *headingIDs) Put(value []byte) { h.used[string(value)] = 0 }

// codeRenderer highlights fenced code with chroma; code without a
// language is shown plain.
type codeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderCode)
	reg.Register(ast.KindCodeBlock, renderCode)
}

func renderCode(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	var code strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		code.Write(seg.Value(source))
	}
	lang := ""
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		lang, _, _ = strings.Cut(strings.TrimSpace(string(f.Info.Segment.Value(source))), " ")
	}
	w.WriteString(highlight(lang, code.String()))
	return ast.WalkSkipChildren, nil
}

// highlight returns code as a highlighted <pre> block.
func highlight(lang, code string) string {
	var lexer chroma.Lexer
	if lang != "" {
		lexer = lexers.Get(lang)
	}
	if lexer == nil {
		return `<pre class="code plain"><code>` + html.EscapeString(code) + "</code></pre>\n"
	}
	lexer = chroma.Coalesce(lexer)
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return `<pre class="code plain"><code>` + html.EscapeString(code) + "</code></pre>\n"
	}
	var b strings.Builder
	b.WriteString(`<div class="code" data-lang="` + html.EscapeString(lang) + `">`)
	if err := formatter.Format(&b, styles.Get(codeStyle), it); err != nil {
		return `<pre class="code plain"><code>` + html.EscapeString(code) + "</code></pre>\n"
	}
	b.WriteString("</div>\n")
	return b.String()
}

var formatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))
