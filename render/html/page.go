// Package html renders a lesson's transcript as one self-contained HTML
// page: inline CSS, no script, nothing fetched from the network. Prose is
// rendered by goldmark (GitHub-flavoured: tables, task lists, autolinks),
// code is highlighted by chroma, outputs stand apart from code with the
// colours the programs printed (internal/termtext), background logs are
// panels with their L/O/E/I lines styled, and each cell's ending is a
// badge (exit status, interruption, duration). A table of contents
// leads the page; print CSS lays it out for paper.
//
// Program output is escaped: a step that prints <script> shows the
// text. HTML that may stand as HTML — the lesson's prose (<details>,
// tables, <br>) and what a program displays (IPython's HTML, Markdown) —
// goes through one allowlist (sanitize.go, on bluemonday): structure,
// text styling, links to http, https, mailto and relative URLs and data:
// images stay; scripts, event handlers, forms, frames and anything that
// would be fetched go, and an image, frame or video from a URL becomes a
// link to its source. The page's Content-Security-Policy (loads nothing
// but data: images, runs no script) holds even where the allowlist would
// miss something.
package html

import (
	"path"
	"strings"

	"github.com/labrun/labrun/render"
	"github.com/labrun/labrun/transcript"
)

// Page is a lesson ready to render.
type Page struct {
	// Name is the source file's name, the title when the lesson has no
	// heading.
	Name string
	// Parts are the lesson's pieces in order.
	Parts []Part
}

// Part is lesson text (prose and code, Markdown) and the outputs of the
// cell it ends with.
type Part struct {
	Markdown string
	// Outputs of the cell that closes Markdown, in order.
	Outputs []transcript.Output
	// Ending says how that cell ended; nil when unknown (a course
	// transcript) or when the cell did not run.
	Ending *transcript.Annotation
}

// FromResult makes the page of a run: the lesson's text cut after each
// cell, with the cell's outputs as the programs printed them (colours
// included).
func FromResult(res *transcript.Result) *Page {
	p := &Page{Name: path.Base(res.Lesson.Name)}
	lines := strings.SplitAfter(string(res.Lesson.Source), "\n")
	next := 0
	for _, cr := range res.Cells {
		end := min(cr.Cell.EndLine, len(lines))
		if end <= next {
			continue
		}
		p.Parts = append(p.Parts, Part{
			Markdown: strings.Join(lines[next:end], ""),
			Outputs:  cr.Outputs,
			Ending:   new(render.Annotation(cr)),
		})
		next = end
	}
	if rest := strings.Join(lines[next:], ""); rest != "" {
		p.Parts = append(p.Parts, Part{Markdown: rest})
	}
	return p
}

// FromTranscript makes the page of a written transcript: labrun's (with
// its annotations) or a course's (nbconvert layout). Colours are not in a
// transcript (it shows text as a terminal did); a page made from a run
// (FromResult) has them.
func FromTranscript(name string, src []byte) *Page {
	p := &Page{Name: path.Base(name)}
	// The page shows the transcript's parts, which are read even when
	// its skeleton is no lesson labrun runs.
	t, _ := transcript.Parse(name, src)
	for _, sp := range t.Parts {
		part := Part{Markdown: sp.Skeleton, Outputs: transcript.ParseOutputs(sp.Outputs)}
		if sp.AnnotationText() != "" {
			part.Ending = sp.Annotation
		}
		p.Parts = append(p.Parts, part)
	}
	return p
}
