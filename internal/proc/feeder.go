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
	// writing is set while a write is under way: the step has the data,
	// or does not read it.
	writing bool
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
		fd.writing = true
		fd.mu.Unlock()
		_, err := f.WriteString(data)
		fd.mu.Lock()
		fd.writing = false
		if err != nil {
			fd.queue, fd.closed = nil, true
		}
		fd.mu.Unlock()
		if err != nil {
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

// Pending reports whether data was pushed that the feeder has not begun
// to write: the step has not been offered it yet.
func (fd *Feeder) Pending() bool {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return len(fd.queue) > 0 && !fd.writing
}
