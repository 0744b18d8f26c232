package html

import (
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/labrun/labrun/internal/termtext"
	"github.com/labrun/labrun/transcript"
)

// writeOutputs writes a cell's badge and outputs.
func (w *writer) writeOutputs(p Part) error {
	if len(p.Outputs) == 0 && p.Ending == nil {
		return nil
	}
	w.b.WriteString(`<section class="outputs">` + "\n")
	if p.Ending != nil {
		w.b.WriteString(badge(p.Ending))
	}
	for _, o := range p.Outputs {
		switch o.Kind {
		case transcript.Stream, transcript.Text, transcript.Error:
			class := "out stream"
			switch {
			case o.Kind == transcript.Error:
				class = "out error"
			case o.Name == transcript.Stderr:
				class = "out stream stderr"
			}
			w.b.WriteString(`<pre class="` + class + `">` + termHTML(strings.TrimSuffix(o.Text, "\n")) + "</pre>\n")
		case transcript.Markdown:
			s, err := w.md.renderDisplay(o.Text)
			if err != nil {
				return err
			}
			w.b.WriteString(`<div class="out display">` + s + "</div>\n")
		case transcript.HTML:
			// HTML a program displayed goes through the page's
			// allowlist: the page runs and fetches nothing.
			w.b.WriteString(`<div class="out display html">` + sanitizeDisplay(o.Text) + "</div>\n")
		case transcript.Log:
			w.b.WriteString(logPanel(o.Text))
		}
	}
	w.b.WriteString("</section>\n")
	return nil
}

// badge shows how a cell ended.
func badge(e *transcript.Annotation) string {
	class, text := "ok", "ok"
	switch e.Status {
	case transcript.Failed:
		class, text = "error", "Python error"
	case transcript.Interrupted:
		class, text = "interrupted", "interrupted"
	case transcript.Skipped:
		class, text = "skipped", "not run"
	default:
		if e.HasExit && e.Exit.Code != 0 {
			class = "fail"
		}
	}
	var parts []string
	if !(e.Status == transcript.Interrupted && len(e.Notes) > 0 && strings.HasPrefix(e.Notes[0], "interrupted")) {
		parts = append(parts, text) // else the note says it
	}
	if e.HasExit {
		if e.Exit.Code < 0 {
			parts = append(parts, fmt.Sprintf("signal %d", -e.Exit.Code))
		} else {
			parts = append(parts, fmt.Sprintf("exit %d", e.Exit.Code))
		}
	}
	if e.Timed {
		parts = append(parts, fmt.Sprintf("%.2f s", e.Duration.Seconds()))
	}
	var b strings.Builder
	b.WriteString(`<div class="badge ` + class + `" data-status="` + html.EscapeString(e.Status.String()) + `">`)
	b.WriteString(`<span class="status">` + html.EscapeString(strings.Join(parts, " · ")) + `</span>`)
	for _, n := range e.Notes {
		b.WriteString(` <span class="note">` + html.EscapeString(strings.Replace(n, ": ", " — ", 1)) + `</span>`)
	}
	b.WriteString("</div>\n")
	return b.String()
}

// logLine is a line of a background log: its tag and its text.
var logLine = regexp.MustCompile(`^([LOEI]) \| (.*)$`)

// logPanel shows a background log, each line styled by its tag: L for
// the launcher, O for stdout, E for stderr, I for input.
func logPanel(text string) string {
	var b strings.Builder
	b.WriteString(`<div class="log"><div class="log-title">background process log</div><pre>`)
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if m := logLine.FindStringSubmatch(l); m != nil {
			b.WriteString(`<span class="log-line log-` + m[1] + `"><span class="tag">` + m[1] + `</span> | ` + termHTML(m[2]) + `</span>`)
			continue
		}
		b.WriteString(termHTML(l))
	}
	b.WriteString("</pre></div>\n")
	return b.String()
}

// termHTML shows program output as a terminal would, with its colours as
// styled spans; all text is escaped.
func termHTML(s string) string {
	var b strings.Builder
	for _, seg := range termtext.Parse(s) {
		css := styleCSS(seg.Style)
		if css == "" {
			b.WriteString(html.EscapeString(seg.Text))
			continue
		}
		b.WriteString(`<span class="term" style="` + css + `">` + html.EscapeString(seg.Text) + `</span>`)
	}
	return b.String()
}

// styleCSS is a terminal style as inline CSS.
func styleCSS(st termtext.Style) string {
	if st.IsZero() {
		return ""
	}
	fg, bg := st.FG.Hex(), st.BG.Hex()
	if st.Inverse {
		if fg == "" {
			fg = "var(--out-fg)"
		}
		if bg == "" {
			bg = "var(--out-bg)"
		}
		fg, bg = bg, fg
	}
	var css []string
	if fg != "" {
		css = append(css, "color:"+fg)
	}
	if bg != "" {
		css = append(css, "background-color:"+bg)
	}
	if st.Bold {
		css = append(css, "font-weight:bold")
	}
	if st.Faint {
		css = append(css, "opacity:0.7")
	}
	if st.Italic {
		css = append(css, "font-style:italic")
	}
	switch {
	case st.Underline && st.Strike:
		css = append(css, "text-decoration:underline line-through")
	case st.Underline:
		css = append(css, "text-decoration:underline")
	case st.Strike:
		css = append(css, "text-decoration:line-through")
	}
	return strings.Join(css, ";")
}
