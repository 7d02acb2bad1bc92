//go:build linux

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// fileSink writes log lines to a regular file with a raw write(2).
//
// os.File.Write enters the scheduler's syscall state, and that wakes the
// runtime's sysmon thread whenever the process was idle a moment before;
// at one log line per connection that kept sysmon polling every 20 µs and
// cost the event loops a context switch per connection (BENCHMARKS.md,
// "The log write and sysmon"). A write to a regular file returns in
// microseconds, so the raw call holds the P no longer than the socket
// calls of the loops do.
//
// Lines from concurrent loops need no lock: the file is opened O_APPEND
// and zap writes each entry with one call, and the kernel serializes
// appends to a regular file, so lines never interleave. A mutex here made
// the loops queue behind each other's writes and park.
type fileSink struct {
	f  *os.File // kept so its finalizer cannot close fd under us
	fd uintptr
}

func newFileSink(f *os.File) (fileSink, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return fileSink{}, false // a pipe or terminal can block: keep Go's write
	}
	// Fd puts the file in blocking mode, which a regular file is anyway.
	return fileSink{f: f, fd: f.Fd()}, true
}

// Write writes all of p, retrying short writes and EINTR.
func (s fileSink) Write(p []byte) (int, error) {
	fd := s.fd
	done := 0
	for done < len(p) {
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[done])), uintptr(len(p)-done))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return done, &os.PathError{Op: "write", Path: s.f.Name(), Err: e}
		}
		done += int(n)
	}
	return done, nil
}

// Sync is a no-op, as for zap's file sinks: lines reach the page cache.
func (s fileSink) Sync() error { return nil }
