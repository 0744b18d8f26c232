package check

import (
	"fmt"
	"slices"
	"strings"
)

// diffContext is how many equal lines a hunk shows around a change.
const diffContext = 3

// maxDiffCells bounds the work of the line diff (len(a) * len(b)); past
// it the diff shows every line as removed and added.
const maxDiffCells = 4 << 20

// UnifiedDiff returns a unified diff from a (labelled from) to b
// (labelled to), or "" when they are equal.
func UnifiedDiff(from, to string, a, b []string) string {
	if slices.Equal(a, b) {
		return ""
	}
	ops := diffOps(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	// group ops into hunks
	type op struct {
		kind byte // ' ', '-', '+'
		text string
		ai   int
		bi   int
	}
	var all []op
	ai, bi := 0, 0
	for _, k := range ops {
		switch k {
		case ' ':
			all = append(all, op{' ', a[ai], ai, bi})
			ai++
			bi++
		case '-':
			all = append(all, op{'-', a[ai], ai, bi})
			ai++
		case '+':
			all = append(all, op{'+', b[bi], ai, bi})
			bi++
		}
	}
	for i := 0; i < len(all); {
		if all[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-diffContext, 0)
		end := i
		for j := i; j < len(all); j++ {
			if all[j].kind != ' ' {
				end = j + 1
				continue
			}
			if j-end >= 2*diffContext {
				break
			}
		}
		stop := min(end+diffContext, len(all))
		var na, nb int
		for _, o := range all[start:stop] {
			if o.kind != '+' {
				na++
			}
			if o.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(all[start].ai, na), hunkRange(all[start].bi, nb))
		for _, o := range all[start:stop] {
			out.WriteString(string(o.kind) + o.text + "\n")
		}
		i = stop
	}
	return out.String()
}

// hunkRange writes a hunk's start and length as unified diffs do.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// diffOps returns the edit script from a to b: ' ' keep, '-' drop a
// line of a, '+' add a line of b (a longest common subsequence).
func diffOps(a, b []string) []byte {
	// common prefix and suffix first: most diffs are a few lines
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	ops := []byte(strings.Repeat(" ", p))
	if len(ma)*len(mb) > maxDiffCells {
		ops = append(ops, []byte(strings.Repeat("-", len(ma))+strings.Repeat("+", len(mb)))...)
	} else {
		ops = append(ops, lcsOps(ma, mb)...)
	}
	return append(ops, []byte(strings.Repeat(" ", s))...)
}

// lcsOps is the dynamic-programming edit script of a to b.
func lcsOps(a, b []string) []byte {
	n, m := len(a), len(b)
	// l[i][j]: LCS length of a[i:] and b[j:]
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var ops []byte
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, ' ')
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			ops = append(ops, '-')
			i++
		default:
			ops = append(ops, '+')
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, '-')
	}
	for ; j < m; j++ {
		ops = append(ops, '+')
	}
	return ops
}
