//go:build !linux

package fastpath

import "net"

// Engine is unavailable outside Linux; New always fails.
type Engine struct{}

// New reports ErrUnsupported: callers fall back to goroutines.
func New(*net.TCPListener, Handler, Config) (*Engine, error) { return nil, ErrUnsupported }

// UringCheck reports ErrUnsupported.
func UringCheck() error { return ErrUnsupported }

// Serve does nothing.
func (*Engine) Serve() error { return ErrUnsupported }

// Stop does nothing.
func (*Engine) Stop() {}

// Abort does nothing.
func (*Engine) Abort() {}

// Live is always zero.
func (*Engine) Live() int64 { return 0 }

// Listening does nothing.
func (*Engine) Listening() {}
