package cram

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveOpcodes is cram's diff as _diff.py and difflib write it, line for
// line (a dict per i, every pair of the zip tried), for
// TestOpcodesAsCram.
func naiveOpcodes(a0, b []string) []Opcode {
	a := slices.Clone(a0)
	b2j := map[string][]int{}
	for j, l := range b {
		b2j[l] = append(b2j[l], j)
	}
	if n := len(b); n >= 200 {
		for l, js := range b2j {
			if len(js) > n/100+1 {
				delete(b2j, l)
			}
		}
	}
	longest := func(alo, ahi, blo, bhi int) (int, int, int) {
		type sw struct {
			n  int
			el string
		}
		var ms []sw
		for n := 0; alo+n < ahi && blo+n < bhi; n++ {
			if el, l := a[alo+n], b[blo+n]; el != l && Matches(el, l) {
				a[alo+n] = l
				ms = append(ms, sw{n, el})
			}
		}
		besti, bestj, size := alo, blo, 0
		j2len := map[int]int{}
		for i := alo; i < ahi; i++ {
			next := map[int]int{}
			for _, j := range b2j[a[i]] {
				if j < blo {
					continue
				}
				if j >= bhi {
					break
				}
				k := j2len[j-1] + 1
				next[j] = k
				if k > size {
					besti, bestj, size = i-k+1, j-k+1, k
				}
			}
			j2len = next
		}
		for besti > alo && bestj > blo && a[besti-1] == b[bestj-1] {
			besti, bestj, size = besti-1, bestj-1, size+1
		}
		for besti+size < ahi && bestj+size < bhi && a[besti+size] == b[bestj+size] {
			size++
		}
		for _, m := range ms {
			a[alo+m.n] = m.el
		}
		return besti, bestj, size
	}
	queue := [][4]int{{0, len(a), 0, len(b)}}
	var blocks []block
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := longest(q[0], q[1], q[2], q[3])
		if k == 0 {
			continue
		}
		blocks = append(blocks, block{i, j, k})
		if q[0] < i && q[2] < j {
			queue = append(queue, [4]int{q[0], i, q[2], j})
		}
		if i+k < q[1] && j+k < q[3] {
			queue = append(queue, [4]int{i + k, q[1], j + k, q[3]})
		}
	}
	return opcodes(joinBlocks(blocks, len(a), len(b)))
}

// TestOpcodesAsCram: Opcodes gives what the plain port gives, on random
// records and outputs of a few kinds of line (plain, matcher, escaped),
// long enough for autojunk too.
func TestOpcodesAsCram(t *testing.T) {
	rec := []string{"a", "b", "c", "x* (glob)", "[ab] (re)", "\\x61 (esc)", ".* (re)", "c (esc)"}
	out := []string{"a", "b", "c", "xy", "\\x61 (esc)", "d", "c"}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(from []string, n int) []string {
		var l []string
		for range n {
			l = append(l, from[r.IntN(len(from))])
		}
		return l
	}
	for k := range 3000 {
		n, m := r.IntN(12), r.IntN(12)
		if k%100 == 0 {
			n, m = 200+r.IntN(100), 200+r.IntN(100)
		}
		a, b := pick(rec, n), pick(out, m)
		if got, want := Opcodes(a, b), naiveOpcodes(a, b); !slices.Equal(got, want) {
			t.Fatalf("a %q\nb %q\nOpcodes %v\nplain   %v", a, b, got, want)
		}
	}
}

// FuzzPatch: whatever the recorded and fresh lines, Patch gives as many
// lines as the fresh ones, the lines it keeps match them (Matched of the
// patch is the patch: a second --update changes nothing), and Opcodes is
// the plain port's.
func FuzzPatch(f *testing.F) {
	f.Add("a\nx* (glob)\nb", "a\nxyz\nc")
	f.Add(".* (re)\n.* (re)", "1\n2\n3")
	f.Add("\\x61 (esc)\nq", "a\n\\x61 (esc)")
	f.Fuzz(func(t *testing.T, rec, out string) {
		a, b := strings.Split(rec, "\n"), strings.Split(out, "\n")
		p := Patch(a, b)
		if len(p) != len(b) {
			t.Fatalf("Patch has %d lines for %d fresh ones: %q", len(p), len(b), p)
		}
		if m := Matched(p, b); !slices.Equal(m, p) {
			t.Fatalf("the patch %q does not match the fresh lines %q: %q", p, b, m)
		}
		if got, want := Opcodes(a, b), naiveOpcodes(a, b); !slices.Equal(got, want) {
			t.Fatalf("Opcodes %v, plain port %v", got, want)
		}
	})
}
