package lessons

import "strings"

// FileBytes returns what a File or WriteFile cell writes, byte for byte
// as the course's save_file magic wrote it: a first line
// "<comment> %%cpp ARGS"; the body given a final newline if it lacks one,
// split on newlines, each piece written followed by a newline (so the
// file ends with an empty line); every %-line written as
// "<comment> <line>"; with --ejudge-style trailing spaces stripped and
// "<comment> line without \n" at the end. %%makefile turns every run of
// four spaces into a tab first. Verbatim files (and %%writefile) get the
// body with a final newline, as IPython wrote it. Both "labrun run" and
// "labrun tangle" write these bytes. It returns nil for a cell that
// writes no file.
func FileBytes(c *Cell) []byte {
	if c.File == nil || c.File.Name == "" {
		return nil
	}
	return fileBytes(c.File, Body(c))
}

func fileBytes(fs *FileSpec, body string) []byte {
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

// Body returns the body of a cell: everything after its %% magic line
// (the whole source in the native dialect, which has none).
func Body(c *Cell) string {
	if !strings.HasPrefix(c.Source, "%%") {
		return c.Source
	}
	_, body, _ := strings.Cut(c.Source, "\n")
	return body
}
