package proc

import (
	"os"
	"sync"
)

// Feeder writes what a lesson sends to a background step's stdin, in
// order, from its own goroutine: a step that does not read never blocks
// labrun, however much is sent.
type Feeder struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []string
	closed bool
}

// NewFeeder starts feeding f; f is closed once the feeder is closed and
// its queue written, or when a write fails (the step is gone).
func NewFeeder(f *os.File) *Feeder {
	fd := &Feeder{}
	fd.cond = sync.NewCond(&fd.mu)
	go fd.run(f)
	return fd
}

func (fd *Feeder) run(f *os.File) {
	defer f.Close()
	for {
		fd.mu.Lock()
		for len(fd.queue) == 0 && !fd.closed {
			fd.cond.Wait()
		}
		if len(fd.queue) == 0 {
			fd.mu.Unlock()
			return
		}
		data := fd.queue[0]
		fd.queue = fd.queue[1:]
		fd.mu.Unlock()
		if _, err := f.WriteString(data); err != nil {
			fd.mu.Lock()
			fd.queue, fd.closed = nil, true
			fd.mu.Unlock()
			return
		}
	}
}

// Push queues data for the step's stdin.
func (fd *Feeder) Push(data string) {
	fd.mu.Lock()
	if !fd.closed {
		fd.queue = append(fd.queue, data)
	}
	fd.mu.Unlock()
	fd.cond.Signal()
}

// Close closes the step's stdin once what was queued is written.
func (fd *Feeder) Close() {
	fd.mu.Lock()
	fd.closed = true
	fd.mu.Unlock()
	fd.cond.Signal()
}
