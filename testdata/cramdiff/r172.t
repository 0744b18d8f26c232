
$ not a command: no indent
   three spaces
  $ true
  >
  $ printf ''
  $ v0=qq
 one space: still prose
  $
  $ :
  $ printf 'wx\012'
  wx
  $ f2() {
  >   printf ''
  > }
  $ printf 'w{'
  w{ (no-eol) 
Some prose.
Some prose.
  $ false
  \cw\\wy
  
  
  $ if true; then
  >   printf 'w[\012'
  > else
  >   printf ''
  > fi
  w[
  $ if true; then
  >   printf 'fooww?\012\012'
  > else
  >   printf 'wz\047\012www-1w (no-eol)\012'
  > fi
  [a-z0-9 ]* (re)
  