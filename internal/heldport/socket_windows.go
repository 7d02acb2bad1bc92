//go:build windows

package heldport

import (
	"fmt"
	"syscall"
)

// socket is a Winsock handle.
type socket syscall.Handle

// newSocket opens an IPv4 TCP socket.
func newSocket() (socket, error) {
	h, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, syscall.IPPROTO_TCP)
	return socket(h), err
}

// bindLoopback binds to a free port on 127.0.0.1 and returns it.
func (s socket) bindLoopback() (int, error) {
	if err := syscall.Bind(syscall.Handle(s), &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return 0, err
	}
	sa, err := syscall.Getsockname(syscall.Handle(s))
	if err != nil {
		return 0, err
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		return 0, fmt.Errorf("getsockname gave %T, not an IPv4 address", sa)
	}
	return in4.Port, nil
}

func (s socket) listen(backlog int) error { return syscall.Listen(syscall.Handle(s), backlog) }

func (s socket) close() error { return syscall.Closesocket(syscall.Handle(s)) }
