  >
$ not a command: no indent
  $ if true; then
  >   printf 'w1%%{w\012-ww\012, ]wa|c?w'
  > else
  >   printf 'w?xab/\012y w\012'
  > fi
  w?%{w (glob)
  -ww
  , ]wa|c?w (no-eol)
  /foowyÿ
  $ if true; then
  >   printf 'w\012w"w'
  > else
  >   printf ''
  > fi
  w 
  w"w (no-eol)
  $ printf '"wy*$w\012#wzw}wyw\012'
  "wy*$w
  #wzw}wyw
Prose with a trailing space 
  $ v1=qqqq

  $ printf '%%www^\012'; exit 0
  %www^
  $ printf ' 1\012_y\015\012{ $\012ww \303\251w'
  $ if true; then
  >   printf ')1_xy\012'
  > else
  >   printf ' ]wwww\012'
  > fi
  )1_xy
  $ :
$ not a command: no indent