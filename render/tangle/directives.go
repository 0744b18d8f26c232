package tangle

import (
	"fmt"

	"github.com/labrun/labrun/lessons"
)

// directives writes the waits and stops that run before a cell: a wait
// on a file or a port as a polling loop, a stop as a kill of the
// background job; a wait on output is kept as a comment.
func (g *gen) directives(ds []*lessons.Directive) {
	for _, d := range ds {
		g.linef("# labrun: %s", d.Text)
		switch {
		case d.Kind == lessons.Stop && g.jobs[d.Name]:
			g.linef(`kill -%d "$job_%s" 2>/dev/null`, int(d.Signal), d.Name)
		case d.Kind == lessons.Wait && d.For == lessons.WaitFile:
			g.linef(`i=0; while [ ! -e %s ] && [ $i -lt %d ]; do sleep 0.1; i=$((i+1)); done`, shQuote(d.Path), tenths(d))
		case d.Kind == lessons.Wait && d.For == lessons.WaitPort:
			// A listening socket, as labrun reads it: no connection made.
			g.linef(`i=0; until grep -Eqs ':%04X [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 || [ $i -ge %d ]; do sleep 0.1; i=$((i+1)); done`, d.Port, tenths(d))
		case d.Kind == lessons.Wait:
			g.linef("#   (not replayed: %s)", fmt.Sprintf("wait up to %s", d.Timeout))
		}
	}
}

// tenths is a wait's timeout in tenths of a second, rounded up.
func tenths(d *lessons.Directive) int { return int(d.Timeout.Seconds()*10) + 1 }
