// Package render turns a lesson and its run results into outputs for
// people: the Markdown transcript (the lesson with each cell's outputs in
// the layout jupyter nbconvert --to markdown uses, and annotations in HTML
// comments) and the one-line-per-cell terminal summary. It runs nothing.
package render
