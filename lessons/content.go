package lessons

import "strings"

// FileContent returns what a File or WriteFile cell writes to its file
// (nil for other cells), byte for byte as the course's
// save_file magic wrote it: a first line "<comment> %%cpp ARGS"; the body
// given a final newline if it lacks one, split on newlines, each piece
// written followed by a newline (so the file ends with an empty line);
// every %-line written as "<comment> <line>"; with --ejudge-style trailing
// spaces stripped and "<comment> line without \n" at the end. %%makefile
// turns every run of four spaces into a tab first. Verbatim files (and
// %%writefile) get the body with a final newline, as IPython wrote it.
func (c *Cell) FileContent() []byte {
	fs, body := c.File, c.Body
	if fs == nil || fs.Name == "" {
		return nil
	}
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	if fs.Verbatim {
		return []byte(body)
	}
	if fs.Tabs {
		body = strings.ReplaceAll(body, "    ", "\t")
	}
	var b strings.Builder
	b.WriteString(fs.Comment + " %%cpp " + fs.Header + "\n")
	for _, line := range strings.Split(body, "\n") {
		w := line
		if fs.EjudgeStyle {
			w = strings.TrimRight(line, " \t\r\f\v")
		}
		if strings.HasPrefix(line, "%") {
			b.WriteString(fs.Comment + " ")
		}
		b.WriteString(w + "\n")
	}
	if fs.EjudgeStyle {
		b.WriteString(fs.Comment + ` line without \n`)
	}
	return []byte(b.String())
}
