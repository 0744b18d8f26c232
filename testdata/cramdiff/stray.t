An indented line before the first command is no command's:
  stray
  >
prose
  $ echo hi
  hi
