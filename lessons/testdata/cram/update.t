Output that needs escaping, and wrong output:

  $ printf 'a\001b\tc\n'
  ab
  $ echo 1
  2
  $ printf '1\nfoo\n1\n'
  +++ (re)
  foo\ (re)
   (re)

A regular expression after a new line, and a glob:

  $ printf 'foo\n\n1\n'
  
  \d (re)
  $ echo foobar
  f?o* (glob)

Exit status, missing newlines, carriage returns:

  $ (exit 3)
  $ false
  [1]
  $ printf 'x\ny'
  x
  y
  $ printf 'a\rb\r\nc'
  a

Output after prose belongs to the command before:

  $ echo one; echo two
  one
prose
  two
  $ f() {
  >   echo in f
  > }
  $ f
  in f
