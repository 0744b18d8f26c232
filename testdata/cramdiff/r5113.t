  
  >
  $ if true; then
  >   printf 'x\\ww"\012/,wwwy|1w\012'
  > else
  >   printf '+\015w\012'
  > fi
  $ x=1
More text about the test:
Some prose.
  $ f0() {
  >   printf '|\377w%%ww\047^ \012w\012wwy\\\047\012.1?'
  > }
  $ :
  $ trap 'echo trapped' EXIT