package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/transparent"
)

// portOf returns the port of a host:port string, 0 when it has none.
func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "run [-c config.toml]", stdout)
	cfgPath := fs.String("c", "", "config file (default: the built-in config; see 'tlsgate config default')")
	noDemo := fs.Bool("no-demo", false, "do not start the built-in demo backend (another process serves its address)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file until shutdown (for BENCHMARKS.md work)")
	memProfile := fs.String("memprofile", "", "write an allocation profile to this file at shutdown (for BENCHMARKS.md work)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *noDemo {
		cfg.Demo.Listen = ""
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		defer func() {
			if err := writeAllocProfile(*memProfile); err != nil {
				fmt.Fprintf(stderr, "tlsgate: memprofile: %v\n", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, stderr, nil)
}

// writeAllocProfile writes the allocations since start (pprof "allocs").
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// serve runs everything cfg describes until ctx ends, then shuts down
// gracefully. ready, when set, receives the bound listener addresses
// (tests use it to learn ports chosen by the kernel).
func serve(ctx context.Context, cfg *config.Config, stderr io.Writer, ready func(map[string]net.Addr)) error {
	logger, closeLog, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return configError{err}
	}
	defer closeLog()
	defer func() { _ = logger.Sync() }()

	ca, created, err := pki.LoadOrCreate(cfg.CA.Dir, time.Now, rand.Reader)
	if err != nil {
		return err
	}
	caPath, _ := filepath.Abs(filepath.Join(cfg.CA.Dir, "ca.pem"))
	if created {
		logger.Info("created a new lab CA", zap.String("cert", caPath))
	}
	minter := pki.NewMinter(ca, time.Now, rand.Reader)

	addrs := map[string]net.Addr{}
	var demo *demoServer
	if cfg.Demo.Listen != "" {
		demo, err = startDemo(cfg.Demo.Listen)
		if err != nil {
			return err
		}
		defer demo.close()
		addrs["demo"] = demo.addr()
		logger.Info("demo backend listening", zap.String("listen", demo.addr().String()))
	}

	// Bind every listener before serving any, so one bad address stops
	// the whole start-up instead of leaving a half-running gateway.
	type bound struct {
		srv *listener.Server
		ln  net.Listener
	}
	var all []bound
	closeAll := func() {
		for _, b := range all {
			_ = b.ln.Close()
		}
	}
	engine := faults.NewEngine(time.Now)
	if err := engine.Set(cfg.Faults); err != nil {
		return configError{err}
	}
	// The admin API starts before the listeners exist; it sees them once
	// they are all built (an atomic swap, since it is already serving).
	var serversBuilt atomic.Pointer[[]*listener.Server]
	var sink *eventSink
	var adminSrv *http.Server
	if cfg.Admin.Listen != "" {
		if err := admin.CheckListen(cfg.Admin.Listen, cfg.Admin.AllowRemote, cfg.Admin.Token); err != nil {
			return configError{err}
		}
		a, err := admin.New(admin.Options{Engine: engine, Token: cfg.Admin.Token, Now: time.Now, Version: version,
			Listeners: func() []admin.ListenerStats {
				var servers []*listener.Server
				if p := serversBuilt.Load(); p != nil {
					servers = *p
				}
				out := make([]admin.ListenerStats, 0, len(servers))
				for _, s := range servers {
					out = append(out, admin.ListenerStats{Name: s.Options().Name, Active: s.Active(), Refused: s.Refused()})
				}
				return out
			}})
		if err != nil {
			return err
		}
		host, _ := os.Hostname()
		if sink, err = newEventSink(a, host, os.Getpid()); err != nil {
			return err
		}
		aln, err := net.Listen("tcp", cfg.Admin.Listen)
		if err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		// No WriteTimeout: /events streams stay open for as long as the
		// viewer watches.
		adminSrv = &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
		adminSrv.RegisterOnShutdown(a.Close)
		addrs["admin"] = aln.Addr()
		go func() { _ = adminSrv.Serve(aln) }()
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = adminSrv.Shutdown(ctx)
		}()
		logger.Info("admin API listening", zap.String("listen", aln.Addr().String()),
			zap.String("try", "tlsgate fault ls ; curl http://"+aln.Addr().String()+"/events"))
	}
	var ids atomic.Uint64
	nextID := func() uint64 { return ids.Add(1) }
	for _, o := range cfg.Listeners {
		deps := listener.Deps{Logger: logger, Now: time.Now, Minter: minter, NextID: nextID,
			OriginalDst: transparent.Lookup, Faults: engine}
		if sink != nil {
			deps.OnOutcome = sink.observe
		}
		srv, err := listener.New(o, deps)
		if err != nil {
			closeAll()
			return configError{err}
		}
		lc := transparent.ListenConfig(o.Transparent == listener.TransparentTProxy)
		lc.KeepAlive = -1 // idle_timeout ends dead clients; probes cost syscalls per accept
		ln, err := lc.Listen(ctx, "tcp", o.Listen)
		if err != nil {
			closeAll()
			return fmt.Errorf("listener %s: %w", o.Name, err)
		}
		all = append(all, bound{srv, ln})
		addrs[o.Name] = ln.Addr()
	}
	built := make([]*listener.Server, 0, len(all))
	for _, b := range all {
		built = append(built, b.srv)
	}
	serversBuilt.Store(&built)
	for _, b := range all {
		o := b.srv.Options()
		eng, why := b.srv.EngineFor(b.ln)
		fields := []zap.Field{zap.String("listener", o.Name), zap.String("listen", b.ln.Addr().String()),
			zap.String("mode", string(o.Mode)), zap.String("backend", o.Backend), zap.String("engine", string(eng))}
		if why != "" {
			fields = append(fields, zap.String("engine_why", why))
		}
		logger.Info("listening", append(fields, zap.String("try", tryHint(o, b.ln.Addr(), caPath)))...)
	}
	if ready != nil {
		ready(addrs)
	}

	var wg sync.WaitGroup
	errc := make(chan error, len(all))
	for _, b := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.srv.Serve(b.ln); err != nil {
				errc <- err
			}
		}()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	logger.Info("shutting down", zap.Duration("grace", cfg.Shutdown.Grace))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown.Grace)
	defer cancel()
	for _, b := range all {
		if err := b.srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			runErr = errors.Join(runErr, err)
		}
	}
	wg.Wait()
	return runErr
}

// tryHint is the command a newcomer can paste to see the listener work.
func tryHint(o listener.Options, a net.Addr, caPath string) string {
	switch o.Mode {
	case listener.Plaintext:
		return fmt.Sprintf("curl http://%s/   (and see the diagnosis for: curl -k https://%s/)", a, a)
	case listener.Auto:
		return fmt.Sprintf("curl http://%s/ ; curl --cacert %s https://%s/", a, caPath, a)
	default:
		return fmt.Sprintf("curl --cacert %s https://%s/   (and see the diagnosis for: curl http://%s/)", caPath, a, a)
	}
}
