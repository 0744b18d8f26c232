package html

import (
	"html"
	"path"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ContentSecurityPolicy is the policy the page declares in a meta
// element: it loads nothing (default-src 'none'), runs nothing (no
// script-src falls back to 'none'), submits and re-bases nothing, and
// allows only its inline styles and data: images. It holds even where
// the sanitizer would miss something.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"

// Attribute values the policy accepts.
var (
	// linkURL is an http, https or mailto URL, or a relative one (no
	// scheme: no colon before the first /, ? or #).
	linkURL = regexp.MustCompile(`(?is)^\s*(?:(?:https?|mailto):|[^:/?#]*[/?#]|[^:]*$)`)
	// dataImage is an image inlined as base64, the only image the page
	// shows (it fetches nothing).
	dataImage = regexp.MustCompile(`(?is)^\s*data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,`)
	// attrName is an id, a name or a class list: letters of any script,
	// digits, _ . : - and spaces.
	attrName   = regexp.MustCompile(`^[\p{L}\p{N}_.:\- ]*$`)
	attrLength = regexp.MustCompile(`^\s*\d+(?:\.\d+)?(?:%|px)?\s*$`)
	attrAlign  = regexp.MustCompile(`(?i)^\s*(?:left|right|center|justify|top|middle|bottom)\s*$`)
)

// policy is the allowlist every piece of HTML on the page goes through:
// the lesson's prose (with labrun's own markup of it: heading ids,
// highlighted code, task lists) and what programs display. It keeps
// structure and text formatting, links to http, https, mailto and
// relative URLs, and data: images; it drops scripts, event handlers,
// styles that are not plain text styling, forms, frames, embedded objects
// and every URL that would be fetched.
var policy = newPolicy()

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "div", "span", "blockquote", "pre", "code", "kbd", "samp", "var", "tt",
		"h1", "h2", "h3", "h4", "h5", "h6", "b", "i", "em", "strong", "u", "s", "strike", "del", "ins", "mark",
		"small", "big", "sub", "sup", "abbr", "cite", "dfn", "q", "center", "wbr", "figure", "figcaption",
		"ul", "ol", "li", "dl", "dt", "dd", "details", "summary",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col")
	p.AllowAttrs("id", "class").Matching(attrName).Globally()
	p.AllowAttrs("title", "lang", "dir").Globally()
	p.AllowAttrs("align").Matching(attrAlign).Globally()
	p.AllowAttrs("href").Matching(linkURL).OnElements("a")
	p.AllowAttrs("name").Matching(attrName).OnElements("a")
	p.AllowAttrs("src").Matching(dataImage).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(attrLength).OnElements("img", "table", "th", "td", "col", "colgroup")
	p.AllowAttrs("colspan", "rowspan", "span").Matching(bluemonday.Integer).OnElements("th", "td", "col", "colgroup")
	p.AllowAttrs("valign").Matching(attrAlign).OnElements("th", "td", "tr")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("type").Matching(bluemonday.ListType).OnElements("ol", "ul", "li")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`^(?:open)?$`)).OnElements("details")
	p.AllowAttrs("data-lang").Matching(attrName).OnElements("div") // chroma's code blocks
	// GFM task lists: a disabled checkbox.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(?:checked|disabled)?$`)).OnElements("input")
	// Inline styles of text only: colours, alignment, weight, decoration.
	p.AllowStyles("color", "background-color", "text-align", "font-weight", "font-style",
		"text-decoration", "vertical-align", "white-space").Globally()
	// URLs must parse; data: is for images only (the href pattern refuses it).
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.AllowDataURIImages()
	return p
}

// sanitize passes HTML through the allowlist policy, after turning what
// the page cannot show without fetching it (an image from a URL, an
// embedded page, a video) into a link to its source.
func sanitize(s string) string {
	return policy.Sanitize(unembed(s))
}

// sanitizeDisplay sanitizes what a program displayed and closes what it
// left open, as a browser would, so that a display stays inside its
// box: an unclosed <table> or a stray </div> does not reach the page
// around it. (The lesson's prose is not closed so: its <details> may
// open before a cell and close after it.)
func sanitizeDisplay(s string) string {
	clean := sanitize(s)
	box := &nethtml.Node{Type: nethtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := nethtml.ParseFragment(strings.NewReader(clean), box)
	if err != nil {
		return html.EscapeString(s)
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := nethtml.Render(&b, n); err != nil {
			return html.EscapeString(s)
		}
	}
	return b.String()
}

// embedded names the elements that show another resource, and the
// attribute that gives its URL.
var embedded = map[string]string{
	"img": "src", "iframe": "src", "frame": "src", "embed": "src", "object": "data",
	"video": "src", "audio": "src", "source": "src", "track": "src",
}

// embedKind is how a link to an element's source names the element.
var embedKind = map[string]string{
	"img": "image", "iframe": "page", "frame": "page", "embed": "object", "object": "object",
	"video": "video", "audio": "audio", "source": "media", "track": "subtitles",
}

// unembed replaces each element that would load a resource from a URL
// (all but data: images) by a link to it, titled "not loaded"; inside a
// link, which already leads somewhere, by its text alone. The contents
// of an iframe go with it, as a browser shows none of them. Everything
// else is copied as it is, for the policy to judge.
func unembed(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	z := nethtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	inLink, skip := 0, ""
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return b.String()
		}
		raw := string(z.Raw())
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken && tt != nethtml.EndTagToken {
			if skip == "" {
				b.WriteString(raw)
			}
			continue
		}
		tok := z.Token()
		switch {
		case skip != "":
			if tt == nethtml.EndTagToken && tok.Data == skip {
				skip = ""
			}
			continue
		case tok.Data == "a" && tt == nethtml.StartTagToken:
			inLink++
		case tok.Data == "a" && tt == nethtml.EndTagToken:
			inLink = max(inLink-1, 0)
		}
		attr, ok := embedded[tok.Data]
		switch {
		case !ok:
			b.WriteString(raw)
			continue
		case tt == nethtml.EndTagToken:
			continue // the element is gone; its contents stay
		}
		b.WriteString(sourceLink(tok, attr, inLink > 0))
		if tok.Data == "iframe" && tt == nethtml.StartTagToken {
			skip = "iframe"
		}
	}
}

// sourceLink is what stands for an embedded element: a data: image as
// it is, else a link to the element's source (its text alone inside a
// link), or nothing when it names no source.
func sourceLink(tok nethtml.Token, attr string, inLink bool) string {
	var src, alt string
	for _, a := range tok.Attr {
		switch a.Key {
		case attr:
			src = strings.TrimSpace(a.Val)
		case "alt":
			alt = a.Val
		}
	}
	if tok.Data == "img" && dataImage.MatchString(src) {
		return tok.String()
	}
	if src == "" {
		return ""
	}
	text := alt
	if text == "" {
		text = src
		if tok.Data == "img" {
			if base := path.Base(strings.SplitN(src, "?", 2)[0]); base != "." && base != "/" {
				text = base
			}
		}
	}
	text = embedKind[tok.Data] + ": " + text
	if inLink {
		return html.EscapeString("[" + text + "]")
	}
	return `<a class="unloaded" href="` + html.EscapeString(src) + `" title="not loaded: the page fetches nothing">` + html.EscapeString(text) + `</a>`
}
