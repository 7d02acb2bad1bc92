package transparent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"
)

// helperEnv selects a helper mode of the re-executed test binary.
const helperEnv = "TLSGATE_TRANSPARENT_HELPER"

// helperBound caps how long any helper runs, so a lost packet ends the
// helper instead of hanging the test.
const helperBound = 30 * time.Second

// runHelper runs a helper mode and returns the exit code.
//
//	serve: listen on each "network addr" of TG_LISTEN (";"-separated),
//	       transparent when TG_TRANSPARENT=1; print "READY", then for each
//	       accepted connection one line "<listen addr> <remote> OK <dst>"
//	       or "<listen addr> <remote> ERR <noorig|other> <message>"; exit
//	       when stdin closes.
//	dial:  connect to each address of TG_ADDRS (";"-separated) in turn,
//	       wait for the server to close, print "LOCAL <addr> <local>" or
//	       "DIALERR <addr> <error>".
func runHelper(mode string) int {
	switch mode {
	case "serve":
		return helperServe()
	case "dial":
		return helperDial()
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

// helperServe is the gateway side.
func helperServe() int {
	lc := ListenConfig(os.Getenv("TG_TRANSPARENT") == "1")
	lookup := OriginalDst
	if os.Getenv("TG_TRANSPARENT") == "1" {
		lookup = func(c net.Conn) (netip.AddrPort, error) { return TProxyDst(c), nil }
	}
	out := make(chan string)
	for _, spec := range strings.Split(os.Getenv("TG_LISTEN"), ";") {
		network, addr, _ := strings.Cut(spec, " ")
		ln, err := lc.Listen(context.Background(), network, addr)
		if err != nil {
			fmt.Printf("LISTENERR %v\n", err)
			return 1
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				dst, err := lookup(c)
				line := fmt.Sprintf("%s %s OK %s", addr, c.RemoteAddr(), dst)
				if err != nil {
					kind := "other"
					if errors.Is(err, ErrNoOriginalDst) {
						kind = "noorig"
					}
					line = fmt.Sprintf("%s %s ERR %s %v", addr, c.RemoteAddr(), kind, err)
				}
				out <- line
				c.Close()
			}
		}()
	}
	fmt.Println("READY")
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	deadline := time.After(helperBound)
	for {
		select {
		case line := <-out:
			fmt.Println(line)
		case <-deadline:
			return 3
		}
	}
}

// helperDial is the client side: it connects to each address in turn,
// waiting for the server to record and close each connection before the
// next, so the server's verdict lines come in the same order.
func helperDial() int {
	d := net.Dialer{Timeout: helperBound / 3}
	for _, addr := range strings.Split(os.Getenv("TG_ADDRS"), ";") {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			fmt.Printf("DIALERR %s %v\n", addr, err)
			continue
		}
		c.SetDeadline(time.Now().Add(helperBound / 3))
		io.Copy(io.Discard, c)
		c.Close()
		fmt.Printf("LOCAL %s %s\n", addr, c.LocalAddr())
	}
	return 0
}
