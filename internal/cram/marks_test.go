package cram

import (
	"reflect"
	"testing"
)

func TestSegments(t *testing.T) {
	const salt = "CRAM1.5"
	for _, c := range []struct {
		out  string
		want []Segment
	}{
		{"", []Segment{{}}},
		{"a\nCRAM1.5 2 0\nb", []Segment{{Text: "a\n", Marked: true, Pos: 2}, {Text: "b"}}},
		// a marker a heredoc took in and printed: "echo " is output
		{"echo CRAM1.5 3 1\n", []Segment{{Text: "echo ", Marked: true, Pos: 3, Status: 1}, {}}},
		// output without a newline before the marker, a line cut at "\r"
		{"x\ryCRAM1.5 4 0\r\nz\n", []Segment{{Text: "x\ry", Marked: true, Pos: 4}, {Text: "z\n"}}},
		// a marker that printed its "$?" as it is (a quote left open) is
		// output: cram's int() raises there
		{"echo CRAM1.5 1 $?\nCRAM1.5 5 0\n", []Segment{{Text: "echo CRAM1.5 1 $?\n", Marked: true, Pos: 5}, {}}},
	} {
		if got := Segments(c.out, salt); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Segments(%q) = %+v, want %+v", c.out, got, c.want)
		}
	}
	if got, want := Mark(salt, 7), "echo CRAM1.5 7 $?"; got != want {
		t.Errorf("Mark = %q, want %q", got, want)
	}
}
