package lessons

import (
	"fmt"
	"strings"

	"github.com/labrun/labrun/internal/termtext"
)

// Error is a problem with a lesson, tied to a line of it.
type Error struct {
	// Name is the lesson's file name.
	Name string
	// Line is the 1-based line, or 0 when the problem has no line.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "name:line: msg", on one line and inert
// (termtext.Inert): the message quotes the lesson's text, whose control
// characters (an escape sequence that sets the terminal's title) are
// spelled out.
func (e *Error) Error() string {
	if e.Line <= 0 {
		return termtext.Inert(fmt.Sprintf("%s: %s", e.Name, e.Msg))
	}
	return termtext.Inert(fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg))
}

// ErrorList holds every problem Parse found, in line order.
type ErrorList []*Error

// Error joins the problems one a line.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

func (l *ErrorList) add(name string, line int, format string, args ...any) {
	*l = append(*l, &Error{Name: name, Line: line, Msg: fmt.Sprintf(format, args...)})
}
