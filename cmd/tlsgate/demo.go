package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// demoServer is the built-in plain HTTP backend that makes the default
// config show something real with no other set-up.
type demoServer struct {
	ln  net.Listener
	srv *http.Server
}

func startDemo(addr string) (*demoServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demo backend: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "hello from the tlsgate demo backend\n"+
			"you asked for %s %s (Host: %s)\nthe request reached me from %s\n",
			r.Method, r.URL.RequestURI(), r.Host, r.RemoteAddr)
	})
	d := &demoServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

func (d *demoServer) addr() net.Addr { return d.ln.Addr() }

func (d *demoServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = d.srv.Shutdown(ctx)
}
