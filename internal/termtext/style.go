package termtext

import (
	"strconv"
	"strings"
)

// ColorKind says how a Color is given.
type ColorKind uint8

// Color kinds.
const (
	// Default is the terminal's own foreground or background.
	Default ColorKind = iota
	// Indexed is one of the 256 palette colours (0-15: the ANSI ones).
	Indexed
	// RGB is a 24-bit colour.
	RGB
)

// Color is a terminal colour.
type Color struct {
	Kind    ColorKind
	Index   uint8 // for Indexed
	R, G, B uint8 // for RGB
}

// Hex returns the colour as "#rrggbb" (xterm's palette for indexed
// colours), or "" for Default.
func (c Color) Hex() string {
	r, g, b := c.R, c.G, c.B
	switch c.Kind {
	case Default:
		return ""
	case Indexed:
		r, g, b = paletteRGB(c.Index)
	}
	const digits = "0123456789abcdef"
	return string([]byte{'#', digits[r>>4], digits[r&15], digits[g>>4], digits[g&15], digits[b>>4], digits[b&15]})
}

// ansi16 is xterm's palette for the 16 ANSI colours.
var ansi16 = [16][3]uint8{
	{0x00, 0x00, 0x00}, {0xcd, 0x00, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0xcd, 0x00},
	{0x00, 0x00, 0xee}, {0xcd, 0x00, 0xcd}, {0x00, 0xcd, 0xcd}, {0xe5, 0xe5, 0xe5},
	{0x7f, 0x7f, 0x7f}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
	{0x5c, 0x5c, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
}

func paletteRGB(i uint8) (r, g, b uint8) {
	switch {
	case i < 16:
		c := ansi16[i]
		return c[0], c[1], c[2]
	case i < 232:
		i -= 16
		level := func(v uint8) uint8 {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return level(i / 36), level(i / 6 % 6), level(i % 6)
	default:
		v := 8 + 10*(i-232)
		return v, v, v
	}
}

// Style is how a segment is drawn.
type Style struct {
	FG, BG    Color
	Bold      bool
	Faint     bool
	Italic    bool
	Underline bool
	Inverse   bool
	Strike    bool
}

// IsZero reports whether s is the terminal's plain style.
func (s Style) IsZero() bool { return s == Style{} }

// sgr applies the parameters of a Select Graphic Rendition sequence
// ("1;31", "38;5;208", "38:2::255:0:0") to st.
func sgr(st Style, params string) Style {
	if params == "" {
		return Style{}
	}
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' })
	for i := 0; i < len(ps); i++ {
		sub := strings.Split(ps[i], ":")
		n, err := strconv.Atoi(sub[0])
		if err != nil && sub[0] != "" {
			continue
		}
		switch {
		case n == 0:
			st = Style{}
		case n == 1:
			st.Bold = true
		case n == 2:
			st.Faint = true
		case n == 3:
			st.Italic = true
		case n == 4:
			st.Underline = !(len(sub) > 1 && sub[1] == "0")
		case n == 7:
			st.Inverse = true
		case n == 9:
			st.Strike = true
		case n == 21:
			st.Underline = true
		case n == 22:
			st.Bold, st.Faint = false, false
		case n == 23:
			st.Italic = false
		case n == 24:
			st.Underline = false
		case n == 27:
			st.Inverse = false
		case n == 29:
			st.Strike = false
		case n >= 30 && n <= 37:
			st.FG = Color{Kind: Indexed, Index: uint8(n - 30)}
		case n == 39:
			st.FG = Color{}
		case n >= 40 && n <= 47:
			st.BG = Color{Kind: Indexed, Index: uint8(n - 40)}
		case n == 49:
			st.BG = Color{}
		case n >= 90 && n <= 97:
			st.FG = Color{Kind: Indexed, Index: uint8(n - 90 + 8)}
		case n >= 100 && n <= 107:
			st.BG = Color{Kind: Indexed, Index: uint8(n - 100 + 8)}
		case n == 38 || n == 48:
			var c Color
			if len(sub) > 1 { // colon form: 38:5:N or 38:2:[cs]:R:G:B
				c = extColor(sub[1:])
			} else {
				var used int
				c, used = extColorSemi(ps[i+1:])
				i += used
			}
			if n == 38 {
				st.FG = c
			} else {
				st.BG = c
			}
		}
	}
	return st
}

// extColor reads a colon-form extended colour.
func extColor(sub []string) Color {
	switch {
	case sub[0] == "5" && len(sub) >= 2:
		return Color{Kind: Indexed, Index: byteOf(sub[1])}
	case sub[0] == "2" && len(sub) >= 5: // with colour-space id
		return Color{Kind: RGB, R: byteOf(sub[2]), G: byteOf(sub[3]), B: byteOf(sub[4])}
	case sub[0] == "2" && len(sub) == 4:
		return Color{Kind: RGB, R: byteOf(sub[1]), G: byteOf(sub[2]), B: byteOf(sub[3])}
	}
	return Color{}
}

// extColorSemi reads a semicolon-form extended colour from the parameters
// after 38 or 48 and says how many it used.
func extColorSemi(ps []string) (Color, int) {
	if len(ps) == 0 {
		return Color{}, 0
	}
	switch ps[0] {
	case "5":
		if len(ps) >= 2 {
			return Color{Kind: Indexed, Index: byteOf(ps[1])}, 2
		}
	case "2":
		if len(ps) >= 4 {
			return Color{Kind: RGB, R: byteOf(ps[1]), G: byteOf(ps[2]), B: byteOf(ps[3])}, 4
		}
	}
	return Color{}, len(ps)
}

func byteOf(s string) uint8 {
	n, _ := strconv.Atoi(s)
	return uint8(min(max(n, 0), 255))
}
