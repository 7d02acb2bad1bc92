//go:build unix

package heldport

import (
	"fmt"
	"syscall"
)

// socket is a raw descriptor.
type socket int

// newSocket opens an IPv4 TCP socket that a child process does not
// inherit. macOS has no SOCK_CLOEXEC, so close-on-exec is set right after
// under ForkLock, as the net package does there: tests start curl and
// tlsgate, which must not hold the port open.
func newSocket() (socket, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(fd)
	return socket(fd), nil
}

// bindLoopback binds to a free port on 127.0.0.1 and returns it.
func (s socket) bindLoopback() (int, error) {
	if err := syscall.Bind(int(s), &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return 0, err
	}
	sa, err := syscall.Getsockname(int(s))
	if err != nil {
		return 0, err
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		return 0, fmt.Errorf("getsockname gave %T, not an IPv4 address", sa)
	}
	return in4.Port, nil
}

func (s socket) listen(backlog int) error { return syscall.Listen(int(s), backlog) }

func (s socket) close() error { return syscall.Close(int(s)) }
