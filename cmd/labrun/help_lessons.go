package main

// lessonsHelp is "labrun help lessons": which fences run, in both
// dialects, the fence attributes, console blocks and directives.
const lessonsHelp = `Which fences run

Course dialect (the default): a ` + "```python" + ` fence is an IPython cell; a
fence whose first line is a %%magic is that magic's cell; every other
fence (` + "```c, ```bash, ```text, ```console" + ` ...) is prose, left alone: no
output, no marker. Native dialect (<!-- labrun: dialect=native --> at the
top): a fence runs only when its info string says so, ` + "```python" + ` too.
In both, a fence with attributes runs as they say, so a lesson may mix
the two. Fences inside lists and blockquotes never run. "labrun run -v"
lists every fence not run, with the reason.

Fence attributes (key=value, quoted as in a shell, or bare words):
  ` + "```c file=hello.c run=\"gcc hello.c -o hello\" run=./hello" + `
                      write the body verbatim, then run each run= as %run does
  ` + "```sh run, ```bash run" + `   feed the body to that shell, as %%bash does
  ` + "```sh run file=x.sh" + ` write the body to x.sh, then feed it to sh as above
                      (bash, python alike; run beside run= is refused)
  ` + "```python run" + `       a Python cell in the lesson's Python
  timeout=2s          the cell's timeout
  stdin="text"        fed to the steps on a pipe
  cwd=DIR             run in DIR, inside the work dir
  env="K=V K2=V2"     added to the steps' environment
  pty, no-pty         under a terminal or not (run= commands: pty; scripts: pipes)
  skip                shown, not run
  name=NAME background   start the body (or the run= commands) in the
                      background; its log is shown at this cell
  expect=exit:N, expect=interrupted, expect=fail
                      how the cell should end (default: exit 0); any
                      other ending fails it, and the summary lists it
  session=NAME        a console block's shell session (default: the lesson's)

Console blocks (` + "```console run, ```shell-session run" + `, or every one with
<!-- labrun: console=run -->): "$ command" lines ("> " continues one),
each followed by its recorded output. Every console block of a lesson
runs in one shell session under a terminal, as in one terminal window (a
cd, a variable, a function, an alias carries over to the next block);
session=NAME gives a block a session of its own, no-pty runs a session
on pipes (stderr merged, no terminal, stdin empty). Each command has its
own timeout (the block's timeout=) and stuck checks: one past it gets
Ctrl-C, and the block goes on in the same shell; what a command leaves
in the background runs until the lesson ends. Where a command
prints something else, the transcript holds the fresh output; labrun
check compares each command's lines and fails at the command's line.
A command's exit status, when not 0, is the line "[N]" after its output,
as in cram: run writes it, check compares it (a missing "[1]" after
"$ false" is a difference), --update writes it. An exit ends the shell
session: its commands after it, in this block and the next, do not run,
which fails each block at their lines. Output is data: a line that would read as something else (a command
"$ ..." or "$", a continuation "> ...", a status "[N]", a marker
"<!-- labrun:...", a line ending in " (esc)", " (re)", " (glob)" or
" (no-eol)") or that holds a character that is not printable is written
as cram writes it: escaped, with " (esc)" after it ("\x24 touch x (esc)"
is the output "$ touch x"; "\\" is a backslash, "\t" a tab, "\xNN" a
byte), and read back so; the block's fence grows longer than any fence
an output holds, so that no output closes it. Output that ends without a
newline has " (no-eol)" after its last line, as cram writes it. A
recorded line may be one of cram's matchers, which the fresh line must
match as a whole: "LINE (re)" a regular expression, "LINE (glob)" a glob
(see labrun help check); run and --update keep a record whose lines
match, and rewrite only the lines that no longer do, as "cram -i -y".

Directives, in HTML comments (invisible on a forge):
  <!-- labrun: wait NAME output=/REGEX/ 5s -->   until NAME printed a match
  <!-- labrun: wait port=8080 5s -->             until a TCP port listens
  <!-- labrun: wait file=PATH 5s -->             until PATH exists
  <!-- labrun: stop NAME [SIGTERM] -->           signal NAME, kill it 2 s later
  <!-- labrun: timeout 30s -->                   the lesson's step timeout
  <!-- labrun: cram=NAME.t -->                   console blocks run as cram runs
                                                 NAME.t (labrun import NAME.t)
A wait or stop runs before the next cell; one that fails fails that cell,
which does not run. A mistake (an unknown attribute or directive, a wait
or stop naming no background step before it, a path outside the work
dir, a malformed pattern) is reported as lesson.md:LINE before anything
runs, exit status 2.

Example: examples/echo/README.md.
`
