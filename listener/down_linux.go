//go:build linux

package listener

import (
	"errors"
	"fmt"
	"syscall"
)

// stopListening makes a listening socket stop listening without closing
// it: Linux then answers new SYNs with an RST, and accept fails with
// EINVAL. It returns the socket's address, taken before, for listenAgain.
func stopListening(rc syscall.RawConn) (syscall.Sockaddr, error) {
	var sa syscall.Sockaddr
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		if sa, err = syscall.Getsockname(int(fd)); err != nil {
			err = fmt.Errorf("getsockname: %w", err)
			return
		}
		if err = syscall.Shutdown(int(fd), syscall.SHUT_RD); err != nil {
			err = fmt.Errorf("shutdown SHUT_RD: %w", err)
		}
	}); cerr != nil {
		return nil, fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("listener: %w", err)
	}
	return sa, nil
}

// listenBacklog is passed to listen(2) again: the kernel caps it at
// net.core.somaxconn, the value Go's own Listen passes.
const listenBacklog = 65535

// listenAgain makes a socket stopListening stopped listen again on addr.
// A socket bound to a given port keeps that port while it does not
// listen, and bind fails with EINVAL; one bound to port 0 lost its port
// and is bound to the same one again first.
func listenAgain(rc syscall.RawConn, addr syscall.Sockaddr) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		if addr != nil {
			if e := syscall.Bind(int(fd), addr); e != nil && !errors.Is(e, syscall.EINVAL) {
				err = fmt.Errorf("bind to its port again: %w", e)
				return
			}
		}
		if e := syscall.Listen(int(fd), listenBacklog); e != nil {
			err = fmt.Errorf("listen: %w", e)
		}
	}); cerr != nil {
		return fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("listener: %w", err)
	}
	return nil
}
