 one space: still prose
$ not a command: no indent
  $ f0() {
  >   printf ''
  > }
  $ false
  [1] (no-eol)
  $ f0
 one space: still prose
$ not a command: no indent
   three spaces
  $ printf 'w^wwx/.y\012a\012'
  w^wwx/.y
  a
  $ f1() {
  >   printf '+wwww.\012w[\012xww:bar\012'
  > }
  $ printf 'w?)wc \012cw'
  w?)wc 
  cw (no-eol)
Some prose.
  $ trap 'echo trapped' EXIT
$ not a command: no indent
Some prose.
  $ printf ')}'
  )} (no-eol)
Prose with a trailing space 
  $ printf 'w-wfoo\012w\012'
  w-w*o (glob)
  w
  $ printf 'wwww\303\251,.-\012|,)ww^ww\012'
  wwww\xc3\xa9,.- (esc)
  |,)ww^ww
  >