// Package lessons reads Markdown lessons into cells and steps.
//
// A lesson is lecture notes in Markdown whose fenced code blocks are cells:
// C/C++/assembly sources written to files and compiled (%%cpp, %%asm,
// %%save_file, %%cmake, %%makefile), shell scripts (%%bash, %%sh), files
// written verbatim (%%writefile) and Python cells that may hold shell
// escapes (!cmd, x = !cmd) and line magics (%p, %MD, %bash_async). The
// first line of a cell decides what it is; the fence language is only a
// highlighting hint.
//
// Parsing takes bytes and does no I/O: Parse builds the Markdown AST with
// goldmark, finds every fenced block that has an info string, and
// classifies it. Errors name the file and line they are about. Strip turns
// a transcript written by labrun back into the lesson it came from.
package lessons
