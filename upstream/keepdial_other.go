//go:build !unix

package upstream

import "net"

// KeepingDial is nd.DialContext where a socket cannot be duplicated.
func KeepingDial(nd *net.Dialer) DialFunc { return nd.DialContext }
