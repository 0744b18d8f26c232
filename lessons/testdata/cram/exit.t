An exit ends the shell:

  $ echo before
  before
  $ echo bye; exit 3
  bye
after the exit
  $ echo never
  never

more prose
  $ echo not either
  not either
