package transcript

import (
	"html"
	"strings"

	"github.com/labrun/labrun/internal/marker"
)

// ParseOutputs reads back an outputs block laid out as nbconvert does
// (and as render.Transcript writes a cell's outputs between its markers):
//
//   - lines indented by four spaces are stream text (render lays out
//     Text and Error outputs the same way: they come back as Stream);
//   - a bare fence or a <pre> block is a background log; a fence
//     holds it as it was printed, a <pre> block as HTML (a course's
//     export escapes "&", "<" and ">"): its entities are unescaped, once,
//     as a viewer shows them, so that either gives back what was printed;
//   - other lines are a Markdown display (Run: lines, %p values, %MD
//     text; an HTML display comes back as Markdown), which runs on over
//     one or two blank lines: three or more end it, as between outputs.
//
// A line of a display or a log that would read as one of labrun's
// markers is written with a space before it (render's raw): it comes
// back without that space, as it was shown. For outputs render wrote,
// laying out what ParseOutputs returns gives the same block again.
func ParseOutputs(block string) []Output {
	outs, _ := ParseOutputsFrom(block)
	return outs
}

// ParseOutputsFrom is ParseOutputs with, for each output, the line of
// block (from 0) each line of its text comes from: from[i][k] is the
// line of outs[i].Text's line k (strings.Split by "\n"), -1 for a line
// that is none of block's (the blank lines between a display's lines, a
// stream text's end). check --update keeps a recorded line by it.
func ParseOutputsFrom(block string) (outs []Output, from [][]int) {
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
				from[last] = append(from[last][:len(from[last])-1], i, -1)
			} else {
				outs = append(outs, Output{Kind: Stream, Text: l[4:] + "\n"})
				from = append(from, []int{i, -1})
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
			var src []int
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != closing; i++ {
				body, src = appendLogLine(body, src, shown(lines[i]), i, closing == "</pre>")
			}
			text := strings.TrimRight(strings.Join(body, "\n"), "\n")
			outs = append(outs, Output{Kind: Log, Text: text})
			if src = src[:min(len(src), strings.Count(text, "\n")+1)]; len(src) == 0 {
				src = []int{-1} // an empty log: its text is one empty line
			}
			from = append(from, src)
		default:
			if last >= 0 && blanks < 3 && outs[last].Kind == Markdown {
				outs[last].Text += strings.Repeat("\n", blanks+1) + shown(l)
				for range blanks {
					from[last] = append(from[last], -1)
				}
				from[last] = append(from[last], i)
			} else {
				outs = append(outs, Output{Kind: Markdown, Text: shown(l)})
				from = append(from, []int{i})
			}
		}
		blanks = 0
	}
	return outs, from
}

// appendLogLine appends line l of a log, the block's line i, to body and
// its source to src. In a <pre> block (pre) the line is HTML: its
// entities are unescaped once; one that stands for a newline ("&#10;")
// makes more lines of text, the lines after the first of none of the
// block's lines (-1).
func appendLogLine(body []string, src []int, l string, i int, pre bool) ([]string, []int) {
	if !pre || !strings.Contains(l, "&") {
		return append(body, l), append(src, i)
	}
	for k, part := range strings.Split(html.UnescapeString(l), "\n") {
		body, src = append(body, part), append(src, i)
		if k > 0 {
			src[len(src)-1] = -1
		}
	}
	return body, src
}

// shown is a line of a display or a log as it was shown: without the
// space written before a line that would read as one of labrun's markers
// (a line that began with that space itself reads the same).
func shown(l string) string {
	if strings.HasPrefix(l, " ") && marker.Looks(l[1:]) {
		return l[1:]
	}
	return l
}

// isBareFence says whether a trimmed line is a fence with no info string.
func bareFence(t string) bool {
	return len(t) >= 3 && (strings.Trim(t, "`") == "" || strings.Trim(t, "~") == "")
}
