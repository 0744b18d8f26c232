// Package transcript is the transcript model: the values a run gives and
// every layer shares (result.go: a cell's outputs, each of a kind and, for
// a stream, on a typed stream; how it ended: status, exit and signal,
// interruption with its cause and time, Python exception; outcome.go), and
// the reading of written transcripts back (a labrun transcript, or a
// course README.md in the layout nbconvert gives): Strip and StripCourse
// give back the lesson (strip.go, course.go), ParseOutputs reads an
// outputs block (layout.go).
//
// runner fills the values in, render words them and writes transcripts,
// check compares them, jupyter and render/html show them. The package
// imports only leaf packages of labrun's: lessons (a transcript's skeleton
// is a lesson) and internal/marker (the words of the marker lines).
package transcript
