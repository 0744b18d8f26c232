package cram

import (
	"slices"
	"strings"
)

// cram compares a test's recorded lines with its fresh ones with
// Python's difflib.SequenceMatcher (no junk, autojunk on), changed in
// one way (_diff.py: _SequenceMatcher.find_longest_match): each time it
// looks for the longest matching block in a[alo:ahi] and b[blo:bhi], a
// recorded line that matches (Matches) the fresh line at the same offset
// there stands for that fresh line during the search, so that a matching
// matcher line counts as equal; the recorded line itself is what the
// diff then shows. This file is that algorithm, step for step (difflib:
// __chain_b, find_longest_match, get_matching_blocks, get_opcodes).

// Op says what an Opcode does.
type Op byte

// The opcodes' kinds, as difflib names them.
const (
	Equal   Op = 'e' // a[I1:I2] matches b[J1:J2], line for line
	Replace Op = 'r' // a[I1:I2] is replaced by b[J1:J2]
	Delete  Op = 'd' // a[I1:I2] goes
	Insert  Op = 'i' // b[J1:J2] is inserted at a[I1]
)

// Opcode is one step of turning the recorded lines a into the fresh
// lines b (difflib's get_opcodes).
type Opcode struct {
	Op             Op
	I1, I2, J1, J2 int
}

// seq is difflib's SequenceMatcher with cram's matchers.
type seq struct {
	a, b []string
	b2j  map[string][]int
	m    Matcher
	// special are the indexes, in order, of the lines of a that can
	// match a line they differ from (matcher and escaped lines), escB
	// those of b's escaped lines (a plain line of a can match them):
	// the only pairs longest needs to try.
	special, escB []int
	// j2len for the last i (prev) and this one (cur), and the stamps
	// that say which i a slot is for (pyLongest); gen is the last stamp.
	prevLen, curLen, prevGen, curGen []int
	gen                              int
}

// Opcodes returns the steps that turn the recorded lines a into the
// fresh lines b, as cram's diff finds them.
func Opcodes(a, b []string) []Opcode {
	s := &seq{a: slices.Clone(a), b: b, b2j: map[string][]int{}}
	for j, l := range b {
		s.b2j[l] = append(s.b2j[l], j)
		if strings.HasSuffix(l, EscSuffix) {
			s.escB = append(s.escB, j)
		}
	}
	for i, el := range a {
		if IsMatcher(el) || strings.HasSuffix(el, EscSuffix) {
			s.special = append(s.special, i)
		}
	}
	n := len(b) + 1
	s.prevLen, s.curLen, s.prevGen, s.curGen = make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	if n := len(b); n >= 200 { // autojunk: popular lines are left out of b2j
		for l, js := range s.b2j {
			if len(js) > n/100+1 {
				delete(s.b2j, l)
			}
		}
	}
	return opcodes(s.matchingBlocks())
}

// longest is cram's find_longest_match: the longest block of
// a[alo:ahi] that matches b[blo:bhi], the earliest in a, then in b.
func (s *seq) longest(alo, ahi, blo, bhi int) (besti, bestj, size int) {
	// The pairs at the same offset that match without being equal stand
	// as equal for the search; only a matcher or an escaped line can.
	width := min(ahi-alo, bhi-blo)
	var offsets []int
	for _, i := range inRange(s.special, alo, alo+width) {
		offsets = append(offsets, i-alo)
	}
	for _, j := range inRange(s.escB, blo, blo+width) {
		offsets = append(offsets, j-blo)
	}
	slices.Sort(offsets)
	offsets = slices.Compact(offsets)
	var swapped []int
	kept := map[int]string{}
	for _, n := range offsets {
		if el, l := s.a[alo+n], s.b[blo+n]; el != l && s.m.Matches(el, l) {
			kept[n] = el
			s.a[alo+n] = l
			swapped = append(swapped, n)
		}
	}
	besti, bestj, size = s.pyLongest(alo, ahi, blo, bhi)
	for _, n := range swapped {
		s.a[alo+n] = kept[n]
	}
	return besti, bestj, size
}

// inRange is the part of sorted indexes within [lo, hi).
func inRange(idx []int, lo, hi int) []int {
	from, _ := slices.BinarySearch(idx, lo)
	to, _ := slices.BinarySearch(idx, hi)
	return idx[from:to]
}

// pyLongest is difflib's find_longest_match without junk. Its j2len
// dict (j2len[j]: the longest match ending at a[i-1], b[j]) is kept in
// two slices, the last i's and this one's, each slot j+1 stamped with
// the i it is for, so that no dict is made per i.
func (s *seq) pyLongest(alo, ahi, blo, bhi int) (besti, bestj, size int) {
	a, b := s.a, s.b
	besti, bestj = alo, blo
	base := s.gen + 1 // no slot is stamped base: the first i reads none
	s.gen = base + ahi - alo
	for i := alo; i < ahi; i++ {
		g := base + 1 + i - alo // this i's stamp; g-1 the last i's
		s.prevLen, s.curLen = s.curLen, s.prevLen
		s.prevGen, s.curGen = s.curGen, s.prevGen
		for _, j := range s.b2j[a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := 1
			if s.prevGen[j] == g-1 { // slot j: j2len[j-1]
				k += s.prevLen[j]
			}
			s.curLen[j+1], s.curGen[j+1] = k, g
			if k > size {
				besti, bestj, size = i-k+1, j-k+1, k
			}
		}
	}
	for besti > alo && bestj > blo && a[besti-1] == b[bestj-1] {
		besti, bestj, size = besti-1, bestj-1, size+1
	}
	for besti+size < ahi && bestj+size < bhi && a[besti+size] == b[bestj+size] {
		size++
	}
	return besti, bestj, size
}

// block is a matching block: a[i:i+k] matches b[j:j+k].
type block struct{ i, j, k int }

// matchingBlocks is difflib's get_matching_blocks: the blocks, in
// order, adjacent ones joined, and a last one of size 0 at the ends.
func (s *seq) matchingBlocks() []block {
	la, lb := len(s.a), len(s.b)
	queue := [][4]int{{0, la, 0, lb}}
	var blocks []block
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		alo, ahi, blo, bhi := q[0], q[1], q[2], q[3]
		i, j, k := s.longest(alo, ahi, blo, bhi)
		if k == 0 {
			continue
		}
		blocks = append(blocks, block{i, j, k})
		if alo < i && blo < j {
			queue = append(queue, [4]int{alo, i, blo, j})
		}
		if i+k < ahi && j+k < bhi {
			queue = append(queue, [4]int{i + k, ahi, j + k, bhi})
		}
	}
	return joinBlocks(blocks, la, lb)
}

// joinBlocks sorts the blocks found, joins adjacent ones, and ends them
// with the block of size 0 at the ends (la, lb).
func joinBlocks(blocks []block, la, lb int) []block {
	slices.SortFunc(blocks, func(x, y block) int {
		if x.i != y.i {
			return x.i - y.i
		}
		if x.j != y.j {
			return x.j - y.j
		}
		return x.k - y.k
	})
	var joined []block
	cur := block{}
	for _, b := range blocks {
		if cur.i+cur.k == b.i && cur.j+cur.k == b.j {
			cur.k += b.k
			continue
		}
		if cur.k > 0 {
			joined = append(joined, cur)
		}
		cur = b
	}
	if cur.k > 0 {
		joined = append(joined, cur)
	}
	return append(joined, block{la, lb, 0})
}

// opcodes is difflib's get_opcodes.
func opcodes(blocks []block) []Opcode {
	var ops []Opcode
	i, j := 0, 0
	for _, m := range blocks {
		switch {
		case i < m.i && j < m.j:
			ops = append(ops, Opcode{Replace, i, m.i, j, m.j})
		case i < m.i:
			ops = append(ops, Opcode{Delete, i, m.i, j, m.j})
		case j < m.j:
			ops = append(ops, Opcode{Insert, i, m.i, j, m.j})
		}
		i, j = m.i+m.k, m.j+m.k
		if m.k > 0 {
			ops = append(ops, Opcode{Equal, m.i, i, m.j, j})
		}
	}
	return ops
}

// Patch returns the lines "cram -i -y" writes in place of the recorded
// lines a for the fresh lines b: cram's diff applied (patch -p0), so
// that every recorded line of an equal block stays (a matcher line that
// matches, an escaped line that reads the same) and the fresh lines
// replace the others. It has as many lines as b.
func Patch(a, b []string) []string {
	var out []string
	for _, op := range Opcodes(a, b) {
		if op.Op == Equal {
			out = append(out, a[op.I1:op.I2]...)
		} else {
			out = append(out, b[op.J1:op.J2]...)
		}
	}
	return out
}

// Matched returns the fresh lines b with each one that a recorded line
// of a matches in cram's diff (an equal block) replaced by that recorded
// line: b as cram's diff shows it, where a matching matcher line is a
// line both sides hold.
func Matched(a, b []string) []string {
	out := slices.Clone(b)
	for _, op := range Opcodes(a, b) {
		if op.Op == Equal {
			copy(out[op.J1:op.J2], a[op.I1:op.I2])
		}
	}
	return out
}
