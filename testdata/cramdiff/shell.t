Shell messages name the shell and count the script's lines as cram's:

  $ nosuchcmd
  $ printf -w
  $ f() {
  >   nosuch2
  > }
  $ f
  $ if then
  $ echo never
