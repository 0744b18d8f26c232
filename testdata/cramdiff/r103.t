Prose with a trailing space 
	A tab: prose
  $ printf 'foow\303\251\012www1b:w\012[.cww:waw\012'
  foow\xc3\xa9 (esc)
  www1b:w
  [.cww:waw
More text about the test:
  $
  $ if true; then
  >   printf 'w\047 barww\012foo/w (esc)\012\000ww*ww_|\012'
  > else
  >   printf 'w-\001^cww/w\012'
  > fi
  > 
  w*ar?* (glob)
  [a-z0-9 ]* (re)
  \x00ww*ww_| (esc)
  [0]
  
  $ printf 'w\011 w\033\033+,\012wwfoox\377c,-w\012'
  $ printf 'w\377w\000w'
   three spaces
$ not a command: no indent
  $ if true; then
  >   printf '?\000\01142\012'
  > else
  >   printf '\033wwwwz1c\012 w%%{\0121w^a\012'
  > fi
  $ f2() {
  >   printf '.?w\012w|\012'
  > }
Prose with a trailing space 
Prose with a trailing space 
  $
  $ f2
  w| (glob)
  [80]
  $ printf '\015/ww((\012w\0151-aw\012'
  \r (no-eol) (esc)
  /ww(( 
  w\r (no-eol) (esc)
  wwaz
  1-aw