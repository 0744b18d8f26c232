package runner

import (
	"os"
	"sync"
)

// feeder writes what a lesson sends to a background step's stdin, in
// order, from its own goroutine: a step that does not read never blocks
// labrun, however much is sent.
type feeder struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []string
	closed bool
}

// newFeeder starts feeding f; f is closed once the feeder is closed and
// its queue written, or when a write fails (the step is gone).
func newFeeder(f *os.File) *feeder {
	fd := &feeder{}
	fd.cond = sync.NewCond(&fd.mu)
	go fd.run(f)
	return fd
}

func (fd *feeder) run(f *os.File) {
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

// push queues data for the step's stdin.
func (fd *feeder) push(data string) {
	fd.mu.Lock()
	if !fd.closed {
		fd.queue = append(fd.queue, data)
	}
	fd.mu.Unlock()
	fd.cond.Signal()
}

// close closes the step's stdin once what was queued is written.
func (fd *feeder) close() {
	fd.mu.Lock()
	fd.closed = true
	fd.mu.Unlock()
	fd.cond.Signal()
}
