//go:build unix

package faults

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// dupSocket returns a second descriptor for tcp's socket, close-on-exec.
// It is taken under Control, which leaves the socket's flags alone:
// os.File.Fd (and net.FileConn, which calls it) would switch the shared
// file status to blocking while other goroutines still read the socket.
// The duplicate stays non-blocking, so os.NewFile puts it in the poller
// and a Close wakes its reader.
func dupSocket(tcp *net.TCPConn) (*os.File, error) {
	rc, err := tcp.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("faults: hold %s: %w", tcp.RemoteAddr(), err)
	}
	nfd := -1
	var derr error
	cerr := rc.Control(func(fd uintptr) {
		syscall.ForkLock.RLock()
		defer syscall.ForkLock.RUnlock()
		if nfd, derr = syscall.Dup(int(fd)); derr == nil {
			syscall.CloseOnExec(nfd)
		}
	})
	switch {
	case cerr != nil:
		return nil, fmt.Errorf("faults: hold %s: %w", tcp.RemoteAddr(), cerr)
	case derr != nil:
		return nil, fmt.Errorf("faults: hold %s: dup: %w", tcp.RemoteAddr(), derr)
	}
	return os.NewFile(uintptr(nfd), "held "+tcp.RemoteAddr().String()), nil
}

// lingerZero sets SO_LINGER 0 on f's socket, so closing it sends an RST.
func lingerZero(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1})
	})
}
