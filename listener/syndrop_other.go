//go:build !linux

package listener

import "syscall"

// A socket filter that drops SYNs is Linux's (syndrop_linux.go); elsewhere
// a refuse rule has no mechanism, and stopListening fails first.

func attachDrop(syscall.RawConn) error { return errNoDown }

func detachDrop(syscall.RawConn) error { return errNoDown }
