package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "hello\n\tworld\n", "hello\n\tworld\n"},
		{"empty", "", ""},
		{"sgr", "\x1b[01;31m\x1b[Kerror:\x1b[m\x1b[K bad\n", "error: bad\n"},
		{"sgr 256 and rgb", "\x1b[38;5;208mA\x1b[48;2;1;2;3mB\x1b[0m", "AB"},
		{"osc title bel", "\x1b]0;my title\x07text", "text"},
		{"osc hyperlink st", "warning: [\x1b]8;;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wunused\x1b\\-Wunused\x1b]8;;\x1b\\]\n", "warning: [-Wunused]\n"},
		{"osc hyperlink bel", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "link"},
		{"cr progress", "10%\r50%\r100%\n", "100%\n"},
		{"cr shorter keeps tail", "progress 50%\rdone", "doneress 50%"},
		{"cr erase line", "progress 50%\r\x1b[Kdone\n", "done\n"},
		{"crlf", "a\r\nb\r\n", "a\nb\n"},
		{"backspace overstrike bold", "N\bNA\bAM\bME\bE\n", "NAME\n"},
		{"backspace underline", "_\bf_\bi_\bl_\be\n", "file\n"},
		{"backspace at start", "\bx", "x"},
		{"backspace edit", "abc\b\bX\n", "aXc\n"},
		{"nul dropped", "a\x00b\n", "ab\n"},
		{"nul after a C string", "Hello from C!\n\x00", "Hello from C!\n"},
		{"other c0", "\x01\x07\x0b\x0c\x7f", `\x01\x07\x0b\x0c\x7f`},
		{"c1", "a\u0085b", `a\u0085b`},
		{"c1 csi", "a\u009b31mb", "ab"},
		{"clear screen", "\x1b[H\x1b[2Jtop\n", "top\n"},
		{"private mode", "\x1b[?25lhidden cursor\x1b[?25h\n", "hidden cursor\n"},
		{"charset", "\x1b(Bx\x1b)0y", "xy"},
		{"keypad", "\x1b=a\x1b>", "a"},
		{"cursor forward pads", "a\x1b[3Cb", "a   b"},
		{"cursor back", "abc\x1b[2DX", "aXc"},
		{"column", "abcdef\x1b[3GX", "abXdef"},
		{"erase start", "abcdef\x1b[3D\x1b[1K", "    ef"},
		{"erase whole line", "abc\x1b[2Kd", "   d"},
		{"unterminated csi", "a\x1b[12", "a"},
		{"unterminated osc", "a\x1b]0;title", "a"},
		{"osc ends at newline", "a\x1b]0;title\nb\n", "a\nb\n"},
		{"lone esc", "a\x1b", "a"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"utf8 kept", "привет ✓\n", "привет ✓\n"},
		{"huge forward clamps", "a\x1b[99999Cb", "a" + strings.Repeat(" ", 78) + "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Plain(tc.in); got != tc.want {
				t.Errorf("Plain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseStyles(t *testing.T) {
	red := Color{Kind: Indexed, Index: 1}
	for _, tc := range []struct {
		name string
		in   string
		want []Segment
	}{
		{"gcc error", "\x1b[01;31m\x1b[Kerror:\x1b[m\x1b[K x\n", []Segment{
			{"error:", Style{Bold: true, FG: red}}, {" x\n", Style{}},
		}},
		{"bright and bg", "\x1b[92;44mok\x1b[39mz\x1b[0m", []Segment{
			{"ok", Style{FG: Color{Kind: Indexed, Index: 10}, BG: Color{Kind: Indexed, Index: 4}}},
			{"z", Style{BG: Color{Kind: Indexed, Index: 4}}},
		}},
		{"256", "\x1b[38;5;208mo", []Segment{{"o", Style{FG: Color{Kind: Indexed, Index: 208}}}}},
		{"rgb semicolon", "\x1b[38;2;10;20;30mo", []Segment{{"o", Style{FG: Color{Kind: RGB, R: 10, G: 20, B: 30}}}}},
		{"rgb colon", "\x1b[48:2::10:20:30mo", []Segment{{"o", Style{BG: Color{Kind: RGB, R: 10, G: 20, B: 30}}}}},
		{"overstrike", "N\bN_\bx", []Segment{{"N", Style{Bold: true}}, {"x", Style{Underline: true}}}},
		{"reset by 22", "\x1b[1mb\x1b[22mn", []Segment{{"b", Style{Bold: true}}, {"n", Style{}}}},
		{"plain", "x", []Segment{{"x", Style{}}}},
		{"nothing", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Parse(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Parse(%q)[%d] = %+v, want %+v", tc.in, i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestHex(t *testing.T) {
	for _, tc := range []struct {
		c    Color
		want string
	}{
		{Color{}, ""},
		{Color{Kind: Indexed, Index: 1}, "#cd0000"},
		{Color{Kind: Indexed, Index: 16}, "#000000"},
		{Color{Kind: Indexed, Index: 208}, "#ff8700"},
		{Color{Kind: Indexed, Index: 255}, "#eeeeee"},
		{Color{Kind: RGB, R: 1, G: 0xab, B: 0xff}, "#01abff"},
	} {
		if got := tc.c.Hex(); got != tc.want {
			t.Errorf("%+v.Hex() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// FuzzParse checks that whatever a program prints, the text shown holds
// no control character but tab and newline, is valid UTF-8, keeps every
// newline, and equals the concatenated segments; clean text is kept as is.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a\x1b[31mb\x1b[0m\n", "x\r\x1b[Ky", "N\bN", "\x1b]8;;u\x07t", "\x00\x9b1m", "a\x1b[5C\x1b[2Db", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		segs := Parse(in)
		var b strings.Builder
		for i, s := range segs {
			if s.Text == "" {
				t.Fatalf("empty segment %d", i)
			}
			if i > 0 && segs[i-1].Style == s.Style {
				t.Fatalf("segments %d and %d share a style", i-1, i)
			}
			b.WriteString(s.Text)
		}
		out := b.String()
		if p := Plain(in); p != out {
			t.Fatalf("Plain = %q, segments give %q", p, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		for _, r := range out {
			if r < 0x20 && r != '\t' && r != '\n' || r >= 0x7f && r < 0xa0 {
				t.Fatalf("control %U in %q (from %q)", r, out, in)
			}
		}
		if strings.Count(out, "\n") != strings.Count(in, "\n") {
			t.Fatalf("newlines: %q has %d, %q has %d", in, strings.Count(in, "\n"), out, strings.Count(out, "\n"))
		}
		if clean(in) && out != in {
			t.Fatalf("clean text changed: %q -> %q", in, out)
		}
		if Plain(out) != out {
			t.Fatalf("not idempotent: %q -> %q", out, Plain(out))
		}
	})
}

// TestLargeOutput: a flood with control bytes in it (4 MiB, what a cell
// may keep) is handled in one linear pass: the result is exact.
func TestLargeOutput(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	in := "\x00" + strings.Repeat(line, 4<<20/len(line)) + "\x1b[31mred\x1b[0m"
	got := Parse(in)
	if len(got) != 2 || got[0].Text != strings.Repeat(line, 4<<20/len(line)) || got[1].Text != "red" {
		t.Fatalf("Parse of a 4 MiB flood: %d segments", len(got))
	}
}

// TestInert: what a program printed, quoted on a line of labrun's own,
// reaches the terminal as text: no escape sequence (a clipboard write,
// a title, a clear screen, a link), no line break or carriage return
// that would start a line of its own or hide one, no reordering; every
// byte spelled out, so that nothing printed is lost.
func TestInert(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "just text\tand a tab", "just text\tand a tab"},
		{"osc 52", "x\x1b]52;c;cHduZWQ=\x07y", `x\x1b]52;c;cHduZWQ=\x07y`},
		{"title and clear", "\x1b]0;T\x1b\\\x1b[2J\x1b[H", `\x1b]0;T\x1b\\x1b[2J\x1b[H`},
		{"lines", "a\r\n::add-mask::b\rc", `a\r\n::add-mask::b\rc`},
		{"c1 csi", "a\u009b2Jb", `a\u009b2Jb`},
		{"bidi", "ok\u202eliaf\u202c", `ok\u202eliaf\u202c`},
		{"invalid utf-8 and nul", "\xff\x00é", `\xff\x00é`},
	} {
		got := Inert(tc.in)
		if got != tc.want {
			t.Errorf("%s: Inert(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		for _, r := range got {
			if r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 || r == utf8.RuneError {
				t.Errorf("%s: %q holds %U", tc.name, got, r)
			}
		}
	}
}

// TestInertText: lines stay lines; the rest is spelled out.
func TestInertText(t *testing.T) {
	if got, want := InertText("a\x1b]52;c;x\x07\nb\r\n"), `a\x1b]52;c;x\x07`+"\n"+`b\r`+"\n"; got != want {
		t.Errorf("InertText = %q, want %q", got, want)
	}
}
