package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/labrun/labrun/internal/proc"
)

// stopper turns SIGINT, SIGTERM and SIGHUP into the end of a run: the
// first one stops the running step and skips the rest, and the partial
// transcript is still written; a second one quits at once, after killing
// every process of the run and removing its scratch dir.
type stopper struct {
	first    atomic.Value // the first signal, an os.Signal
	quitting atomic.Bool
	sigs     chan os.Signal
}

// exitFor gives the shell's exit code for death by a signal.
var exitFor = map[os.Signal]int{syscall.SIGINT: exitInterrupted, syscall.SIGTERM: exitTerminated, syscall.SIGHUP: exitHangup}

// watchSignals starts watching; cancel is called on the first signal.
func watchSignals(cancel context.CancelFunc, stderr io.Writer) *stopper {
	s := &stopper{sigs: make(chan os.Signal, 2)}
	signal.Notify(s.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		sig, ok := <-s.sigs
		if !ok {
			return
		}
		s.first.Store(sig)
		fmt.Fprintf(stderr, "labrun: %v: stopping the running step; the partial transcript is written (again to quit now)\n", sig)
		cancel()
		if _, ok := <-s.sigs; ok {
			s.quitting.Store(true)
			proc.KillAll()
			os.Exit(exitFor[sig])
		}
	}()
	return s
}

// stop stops watching.
func (s *stopper) stop() { signal.Stop(s.sigs) }

// exitCode is the exit code the first signal calls for, or 0.
func (s *stopper) exitCode() int {
	if sig, ok := s.first.Load().(os.Signal); ok {
		return exitFor[sig]
	}
	return 0
}

// waitIfQuitting blocks for good when a second signal is making labrun
// quit: what the run did meanwhile (its processes killed under it) is
// not to be reported.
func (s *stopper) waitIfQuitting() {
	if s.quitting.Load() {
		select {}
	}
}
