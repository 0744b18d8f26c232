// Package lessons reads Markdown lessons into cells and steps; it is the
// one place that knows the dialect.
//
// A lesson is lecture notes in Markdown whose fenced code blocks are cells:
// C/C++/assembly sources written to files and compiled (%%cpp, %%asm,
// %%save_file, %%cmake, %%makefile), shell scripts (%%bash, %%sh), files
// written verbatim (%%writefile) and Python cells that may hold shell
// escapes (!cmd, x = !cmd) and line magics (%p, %MD, %bash_async). Which
// fences are cells is the dialect's rule (dialect.go): in the course
// dialect a ```python fence or one whose first line is a %%magic, every
// other fence being prose; in the native dialect, a fence whose info
// string says how it runs (attrs.go: ```sh run, ```c file=a.c run=...,
// console blocks in console.go, their record format in
// consolerecord.go; cram's matcher lines are internal/cram's). Directives in HTML comments set the
// dialect and the lesson's settings, wait for readiness or stop
// background steps between cells (directives.go), and give labrun check
// its rules (checkrules.go: ignore-output, normalize, any-order, expect);
// one lexer reads them all (lexer.go), and the rules are given to the
// cells they govern as the lesson is parsed (Cell.Rules). The word
// grammars the lesson's lines follow sit side by side: a shell's
// (words_shell.go), IPython's arg_split (words_ipython.go) and the
// course's argparse (words_argparse.go). The versions of the course's
// magics are named here (magics.go). A cram test file (NAME.t) is read
// as cram 0.7 reads one (cram.go: ParseCram, each run of indented lines
// a console cell), written back as cram writes it (cramwrite.go),
// compared as cram compares it (cramdiff.go: internal/cram's diff over
// the whole file; Update, what "cram -i -y" leaves) and converted
// to a Markdown lesson (cramimport.go).
//
// Parsing takes bytes and does no I/O: Parse builds the Markdown AST with
// goldmark, finds every top-level fenced block the dialect runs, and
// classifies it (the others are listed in Lesson.NotRun). Errors name the file and line they are about. A Cell
// says what the runner needs and nothing is left to re-derive: its Body
// below the magic line, the Shell of a script cell, the FileSpec of a
// file cell and the bytes it writes (FileContent). PythonLines reads a
// Python cell's lines as IPython does (the Python worker follows the same
// rules, and a test holds the two together). Parse refuses a
// transcript (a line that is one of internal/marker's marker lines);
// package transcript reads transcripts back into lessons.
package lessons
