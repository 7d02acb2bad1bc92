package transparent

import (
	"bufio"
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
//	dial:  connect to TG_ADDR, wait for the server to close, print
//	       "LOCAL <addr>".
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

// helperDial is the client side.
func helperDial() int {
	d := net.Dialer{Timeout: helperBound}
	c, err := d.Dial("tcp", os.Getenv("TG_ADDR"))
	if err != nil {
		fmt.Printf("DIALERR %v\n", err)
		return 1
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(helperBound))
	io.Copy(io.Discard, bufio.NewReader(c))
	fmt.Printf("LOCAL %s\n", c.LocalAddr())
	return 0
}
