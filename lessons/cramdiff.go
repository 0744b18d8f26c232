package lessons

import (
	"regexp"
	"sort"
	"strings"

	"github.com/labrun/labrun/internal/cram"
)

// How cram 0.7 compares a test file with its fresh lines (_diff.py), so
// that a check says what cram says and --update writes what "cram -i -y"
// writes: Python's difflib.SequenceMatcher over the lines (each with its
// "\n"), with cram's matchers. Before each search for the longest
// matching block, an expected line that differs from the fresh line at
// the same offset in the ranges searched, but that one of the matchers
// (esc, glob, re) matches with it, stands for that fresh line; so a
// matcher line matches only where the two ranges line up. "cram -i -y"
// patches the file with the diff of the two: the result keeps the
// file's lines where the two match and takes the fresh lines elsewhere.

// CramOp is one opcode of the comparison: lines A[I1:I2] of the file
// and B[J1:J2] of the fresh lines are Equal, or differ.
type CramOp struct {
	Equal          bool
	I1, I2, J1, J2 int
}

// CramCompare compares a cram file's lines a with its fresh lines b (each
// with its "\n") as cram does, giving difflib's opcodes.
func CramCompare(a, b []string) []CramOp {
	m := &seqMatcher{a: append([]string(nil), a...), b: b, b2j: map[string][]int{}}
	for j, l := range b {
		m.b2j[l] = append(m.b2j[l], j)
	}
	if n := len(b); n >= 200 { // difflib's autojunk: popular lines are not searched for
		for l, js := range m.b2j {
			if len(js) > n/100+1 {
				delete(m.b2j, l)
			}
		}
	}
	var ops []CramOp
	i, j := 0, 0
	for _, mb := range m.matchingBlocks() {
		if i < mb.i || j < mb.j {
			ops = append(ops, CramOp{I1: i, I2: mb.i, J1: j, J2: mb.j})
		}
		i, j = mb.i+mb.k, mb.j+mb.k
		if mb.k > 0 {
			ops = append(ops, CramOp{Equal: true, I1: mb.i, I2: i, J1: mb.j, J2: j})
		}
	}
	return ops
}

// CramMerge is what "cram -i -y" leaves of file lines a given fresh lines
// b: a's lines where they match, b's elsewhere.
func CramMerge(a, b []string, ops []CramOp) []string {
	var out []string
	for _, op := range ops {
		if op.Equal {
			out = append(out, a[op.I1:op.I2]...)
		} else {
			out = append(out, b[op.J1:op.J2]...)
		}
	}
	return out
}

// seqMatcher is difflib.SequenceMatcher without a junk function.
type seqMatcher struct {
	a, b []string
	b2j  map[string][]int
}

// block is a matching block: a[i:i+k] matches b[j:j+k].
type block struct{ i, j, k int }

// matchingBlocks is difflib's get_matching_blocks.
func (m *seqMatcher) matchingBlocks() []block {
	queue := [][4]int{{0, len(m.a), 0, len(m.b)}}
	var blocks []block
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x := m.longestMatch(q[0], q[1], q[2], q[3])
		if x.k == 0 {
			continue
		}
		blocks = append(blocks, x)
		if q[0] < x.i && q[2] < x.j {
			queue = append(queue, [4]int{q[0], x.i, q[2], x.j})
		}
		if x.i+x.k < q[1] && x.j+x.k < q[3] {
			queue = append(queue, [4]int{x.i + x.k, q[1], x.j + x.k, q[3]})
		}
	}
	sort.Slice(blocks, func(p, q int) bool {
		if blocks[p].i != blocks[q].i {
			return blocks[p].i < blocks[q].i
		}
		return blocks[p].j < blocks[q].j
	})
	var out []block
	cur := block{}
	for _, b := range blocks {
		if cur.i+cur.k == b.i && cur.j+cur.k == b.j {
			cur.k += b.k
			continue
		}
		if cur.k > 0 {
			out = append(out, cur)
		}
		cur = b
	}
	if cur.k > 0 {
		out = append(out, cur)
	}
	return append(out, block{len(m.a), len(m.b), 0})
}

// longestMatch is cram's find_longest_match: the lines of a that a
// matcher matches with the line of b at the same offset stand for it,
// then difflib's search runs.
func (m *seqMatcher) longestMatch(alo, ahi, blo, bhi int) block {
	saved := map[int]string{}
	for n := 0; alo+n < ahi && blo+n < bhi; n++ {
		if el, l := m.a[alo+n], m.b[blo+n]; el != l && cramMatch(el, l) {
			saved[alo+n] = el
			m.a[alo+n] = l
		}
	}
	defer func() {
		for i, el := range saved {
			m.a[i] = el
		}
	}()
	best := block{alo, blo, 0}
	j2len := map[int]int{}
	for i := alo; i < ahi; i++ {
		next := map[int]int{}
		for _, j := range m.b2j[m.a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			next[j] = k
			if k > best.k {
				best = block{i - k + 1, j - k + 1, k}
			}
		}
		j2len = next
	}
	for best.i > alo && best.j > blo && m.a[best.i-1] == m.b[best.j-1] {
		best = block{best.i - 1, best.j - 1, best.k + 1}
	}
	for best.i+best.k < ahi && best.j+best.k < bhi && m.a[best.i+best.k] == m.b[best.j+best.k] {
		best.k++
	}
	return best
}

// cramMatch is cram's matchers, esc, glob and re, in that order: el an
// expected line, l a fresh one, each with its "\n".
func cramMatch(el, l string) bool {
	return cramEsc(el, l) || cramAnnotated(el, l, " (glob)\n", cramGlob) || cramAnnotated(el, l, " (re)\n", cramRegex)
}

// cramEsc matches an expected line ending in " (esc)" whose escapes
// decoded give the fresh line (or its escapes decoded, when it has the
// suffix too).
func cramEsc(el, l string) bool {
	const ann = escSuffix + "\n"
	if body, ok := strings.CutSuffix(el, ann); ok {
		el = cram.Unescape(body) + "\n"
	}
	if el == l {
		return true
	}
	if body, ok := strings.CutSuffix(l, ann); ok {
		l = cram.Unescape(body) + "\n"
	}
	return el == l
}

// cramAnnotated applies match to an expected line ending in ann, without
// it, and the fresh line without its "\n".
func cramAnnotated(el, l, ann string, match func(pattern, s string) bool) bool {
	body, ok := strings.CutSuffix(el, ann)
	return ok && match(body, strings.TrimSuffix(l, "\n"))
}

// cramRegex is cram's _regex: re.match(pattern + `\Z`, s), false for a
// pattern Python would not compile. The pattern is Python's; Go's RE2
// reads the same syntax but for `\Z` (Go's `\z`) and constructs RE2
// lacks (backreferences, lookaround), which are false here.
func cramRegex(pattern, s string) bool {
	re, err := regexp.Compile(pyRegex(pattern + `\Z`))
	if err != nil {
		return false
	}
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0
}

// pyRegex turns Python's `\Z` (end of text) into Go's `\z`.
func pyRegex(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			if p[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteString(p[i : i+2])
			}
			i++
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// cramGlob is cram's _glob: "*" any run, "?" any one character, and a
// backslash before "*", "?" or "\" makes it literal; the rest is
// literal.
func cramGlob(pattern, s string) bool {
	var b, lit strings.Builder
	flush := func() { b.WriteString(regexp.QuoteMeta(lit.String())); lit.Reset() }
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern) && strings.IndexByte(`*?\`, pattern[i+1]) >= 0:
			flush()
			b.WriteString(pattern[i : i+2])
			i++
		case c == '*' || c == '?':
			flush()
			b.WriteString(map[byte]string{'*': ".*", '?': "."}[c])
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return cramRegex(b.String(), s)
}

// Update is the file as "cram -i -y" leaves it given its fresh lines and
// their comparison (CramCompare), and false where cram's patch(1) fails,
// leaving the file as it was. That is only so for a file whose last line
// has no newline, which the diff's lines all have: patch takes the line
// as it stands when fuzz (at most 2 lines at the edges of a hunk) can
// leave it out, and fails otherwise. So the last line is kept, without
// its newline, when it is no part of a hunk or ends one as context; an
// insertion after it applies when the hunk holds no other context than
// at most 2 lines at the top of the file (the line gets its newline);
// a hunk that deletes it, or holds it with 3 lines of context, or
// between changes, fails.
func (f *CramFile) Update(fresh []string, ops []CramOp) ([]byte, bool) {
	a := f.Texts()
	merged := CramText(CramMerge(a, fresh, ops))
	n := len(a)
	if !f.NoEOL || n == 0 || len(ops) == 0 {
		return merged, true
	}
	last := ops[len(ops)-1]
	for _, op := range ops {
		if !op.Equal && op.I1 <= n-1 && n-1 < op.I2 {
			return nil, false // a hunk deletes the last line
		}
	}
	if last.Equal {
		return merged[:len(merged)-1], true
	}
	// an insertion after the last line: the context before it is the
	// equal run that holds the last line
	prev := ops[len(ops)-2]
	return merged, prev.I1 == 0 && prev.I2-prev.I1 <= 2
}
