package listener

import "net"

// socketOf is the conn beneath c's wrappers (fault wrappers, capture,
// replay and recording conns), which expose it as NetConn or Unwrap: the
// socket whose TCP state the kernel reports.
func socketOf(c net.Conn) net.Conn {
	for {
		switch x := c.(type) {
		case interface{ NetConn() net.Conn }:
			c = x.NetConn()
		case interface{ Unwrap() net.Conn }:
			c = x.Unwrap()
		default:
			return c
		}
	}
}
