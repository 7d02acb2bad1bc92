//go:build !linux

package listener

import (
	"errors"
	"syscall"
)

// errNoDown: a listening socket that stops listening while it stays open
// is Linux behaviour (shutdown on a listening socket); elsewhere a refuse
// rule has no mechanism.
var errNoDown = errors.New("listener: refuse mode listener_down needs Linux")

func stopListening(syscall.RawConn) (syscall.Sockaddr, error) { return nil, errNoDown }

func listenAgain(syscall.RawConn, syscall.Sockaddr) error { return errNoDown }
