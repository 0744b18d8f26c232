// Package transcript is the transcript model: the values a run gives and
// every layer shares, and the one reader of written transcripts.
//
// The values (result.go, outcome.go): a cell's outputs, each of a kind
// and, for a stream, on a typed stream (Stdout, Stderr); how it ended:
// status, exit and signal, interruption with its cause and time, Python
// exception, a lost worker, a skip and why; and Ending, how a cell ended
// as an expectation reads it (Ending.Meets, the one meaning of expect). runner fills them in, render
// words them and writes transcripts, check compares them, jupyter and
// render/html show them.
//
// The marker line: Annotation (annotation.go) is what the line that opens a
// cell's outputs records, "cell=3 kind=python status=ok exit=0
// time=0.02s" and render's notes after " · "; its String writes the
// annotation and ParseAnnotation is the one parser of it. The marker words
// themselves are internal/marker's.
//
// The reader (read.go, parse.go, course.go): Parse reads a transcript,
// labrun's (outputs between marker lines) or a course README.md in the
// layout "jupyter nbconvert --to markdown" gives (indented streams, Run:
// lines, %p values and HTML displays, background logs in a bare fence or
// <pre>), into its skeleton lesson, each cell's recorded outputs (Parts,
// Recorded; ParseOutputs reads an outputs block back, layout.go) and the
// line map between skeleton and transcript (Line, SkeletonLine). IsLabrun
// tells the two kinds apart by their layout, never by what an output
// holds. Strip,
// StripCourse and StripAny are the same reading's skeleton, for a
// transcript that need not be a lesson. check, labrun strip, jupyter's
// export and render/html read transcripts through it.
//
// The package imports only leaf packages of labrun's: lessons (a
// transcript's skeleton is a lesson) and internal/marker.
package transcript
