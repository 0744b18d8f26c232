package transcript

import "strings"

// ParseOutputs reads back an outputs block laid out as nbconvert does
// (and as render.Transcript writes a cell's outputs between its markers):
//
//   - lines indented by four spaces are stream text (render lays out
//     Text and Error outputs the same way: they come back as Stream);
//   - a bare fence or a <pre> block is a background log;
//   - other lines are a Markdown display (Run: lines, %p values, %MD
//     text; an HTML display comes back as Markdown), which runs on over
//     one or two blank lines: three or more end it, as between outputs.
//
// For outputs render wrote, laying out what ParseOutputs returns
// gives the same block again.
func ParseOutputs(block string) []Output {
	var outs []Output
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	blanks := 1 // blank lines before the current one; the first starts an output
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		last := len(outs) - 1
		switch {
		case strings.HasPrefix(l, "    "):
			// Stream text keeps its final newline (the layout shows a
			// last empty line as four spaces).
			if last >= 0 && blanks == 0 && outs[last].Kind == Stream {
				outs[last].Text += l[4:] + "\n"
			} else {
				outs = append(outs, Output{Kind: Stream, Text: l[4:] + "\n"})
			}
		case t == "":
			blanks++
			continue
		case bareFence(t) || t == "<pre>":
			closing := t
			if t == "<pre>" {
				closing = "</pre>"
			}
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != closing; i++ {
				body = append(body, lines[i])
			}
			outs = append(outs, Output{Kind: Log, Text: strings.TrimRight(strings.Join(body, "\n"), "\n")})
		default:
			if last >= 0 && blanks < 3 && outs[last].Kind == Markdown {
				outs[last].Text += strings.Repeat("\n", blanks+1) + l
			} else {
				outs = append(outs, Output{Kind: Markdown, Text: l})
			}
		}
		blanks = 0
	}
	return outs
}

// isBareFence says whether a trimmed line is a fence with no info string.
func bareFence(t string) bool {
	return len(t) >= 3 && (strings.Trim(t, "`") == "" || strings.Trim(t, "~") == "")
}
