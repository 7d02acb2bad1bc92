//go:build !unix && !windows

package heldport

import (
	"errors"
	"runtime"
)

// socket stands in where the syscall package has no BSD sockets (js,
// wasip1, plan9): newSocket always fails, so the test that asked fails
// with the reason.
type socket struct{}

func newSocket() (socket, error) {
	return socket{}, errors.New("no BSD socket calls on " + runtime.GOOS)
}

func (socket) bindLoopback() (int, error) { return 0, errors.ErrUnsupported }
func (socket) listen(int) error           { return errors.ErrUnsupported }
func (socket) close() error               { return nil }
