//go:build unix

package bigiplog

import (
	"errors"
	"net"
	"syscall"
)

// watchPeer returns a check that c's peer has closed (or reset) the
// stream. A syslog collector never sends, so a read that does not block
// finds either nothing (open), end of stream or an error (closed). Go's
// sockets are non-blocking, so the read returns at once; anything the
// collector did send is discarded. The check costs one system call.
func watchPeer(c net.Conn) func() bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return watchPeerReading(c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return watchPeerReading(c)
	}
	return func() bool {
		closed := false
		var buf [512]byte
		err := rc.Read(func(fd uintptr) bool {
			for {
				n, err := syscall.Read(int(fd), buf[:])
				switch {
				case n > 0:
					continue
				case err == nil:
					closed = true // end of stream
				case errors.Is(err, syscall.EINTR):
					continue
				case !errors.Is(err, syscall.EAGAIN):
					closed = true
				}
				return true // never wait for readability
			}
		})
		return closed || err != nil
	}
}
