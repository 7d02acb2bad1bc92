package main

import (
	"runtime"
	"sync"
)

// procBudget raises GOMAXPROCS for the epoll engine's loops.
//
// A busy loop waits in epoll_wait while keeping its P (fastpath,
// Config.Procs), so each loop gets a P of its own on top of the ones the
// rest of tlsgate (TLS termination, the goroutine path, the admin API,
// the garbage collector) had before. Listeners start and stop in their
// own goroutines, hence the lock around the read-modify-write.
type procBudget struct {
	mu sync.Mutex
}

// add changes GOMAXPROCS by delta, never below 1.
func (p *procBudget) add(delta int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0)+delta, 1))
}
