// Package render turns a lesson and its run results into outputs for
// people: the Markdown transcript (the lesson with each cell's outputs in
// the layout jupyter nbconvert --to markdown uses, and annotations in HTML
// comments: transcript.go), the terminal summary (summary.go) and the -v
// progress line; a cram test file's transcript is the file as cram
// writes it with fresh outputs (cram.go). Outcomes are typed values of package transcript (exit
// status and signal, interruption and its cause, Python exception, ...);
// outcome.go is where they are put in words, once, for all of these. It
// runs nothing and imports nothing of runner's.
package render
