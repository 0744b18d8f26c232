
  
  $ printf 'yw\303\251\012\047|ww\012w-/\012ca'
  yw\xc3\xa9 (esc)
  >
  '|ww
  w-/
  .* (re)
   three spaces
More text about the test:
 one space: still prose
  $ printf '\000\012wwz'
  nomatch|\\x00 \(esc\) (re)
  wwz (no-eol)
  $ printf '+1w\000ww\012'
  $ if true; then
  >   printf 'cx\012+\012waw \012'
  > else
  >   printf 'www/}w\012\012w\377\012wwwwy '
  > fi
  cx
  "aw
  + (glob)
  waw 
  >
  
Some prose.
  $ (exit 255)
  $ printf 'ww[\\1\012z}1$w\303\251c\011.\012'
  ww[\1
  z}1$w\xc3\xa9c\t. (esc)
  $ f2() {
  >   printf '.ww\012wbw$w\012w?"z+w'
  > }

  $ printf 'ww"w}w\012bar\1771wx\012\033./_w'; exit 3
  ww"w}w
  bar\x7f1wx (esc)
  [[:alpha:]]+ (re)
  [3]
  $ echo tttt >&2
  tttt
  $ # a comment
  $
  $ printf '\177\\$b]bar]*\012wbwwwww \012\012' \
  >   | cat
  \x7f\\$b]bar]* (esc)
  wbwwwww 
   
  $ echo nnn >&2
  nnn
  $ printf ':[^\303\251c\012w%%/w$ *'
  :[^\xc3\xa9c (esc)
  w%/w$ * (no-eol)
  [80]