package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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
	// The profiles are files too: a start-up stopped by a busy port removes
	// the CPU profile it began and writes no allocation profile.
	var made newPaths
	bound := false
	defer func() {
		if !bound {
			made.undo()
		}
	}()
	made.note(*cpuProfile)
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
			if !bound {
				return
			}
			if err := writeAllocProfile(*memProfile); err != nil {
				fmt.Fprintf(stderr, "tlsgate: memprofile: %v\n", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, stderr, func(map[string]net.Addr) { bound = true })
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
//
// Start-up goes from what can fail for config reasons (the log, the CA,
// the fault rules, each listener's TLS files) to binding sockets, and only
// then to serving: a bad file stops tlsgate before anything listens, and a
// port that is taken stops it before anything answers. A start-up that
// fails leaves nothing on disk: a new lab CA is written only once every
// socket is bound, and the log file, key logs and capture directories it
// had to create are removed.
func serve(ctx context.Context, cfg *config.Config, stderr io.Writer, ready func(map[string]net.Addr)) error {
	var made newPaths
	made.note(cfg.Log.File)
	for _, o := range cfg.Listeners {
		made.note(o.KeyLog)
		made.note(o.Capture)
	}
	started := false
	defer func() {
		if !started {
			made.undo()
		}
	}()
	logger, logOut, err := newLogger(cfg.Log, stderr)
	if err != nil {
		var ke keyedError
		if errors.As(err, &ke) {
			err = cfg.KeyError(ke.key, ke.err)
		}
		return configError{err}
	}
	defer logOut.Close()
	defer func() { _ = logger.Sync() }()
	defer reopenOnHUP(logOut, logger)()
	for _, n := range cfg.Notes {
		logger.Warn("config note", zap.String("note", n))
	}

	// A first run's CA is made in memory and written once everything is bound.
	ca, newCA, err := pki.LoadOrNew(cfg.CA.Dir, time.Now, rand.Reader)
	if err != nil {
		return configError{cfg.KeyError("ca.dir", err)}
	}
	caPath, _ := filepath.Abs(filepath.Join(cfg.CA.Dir, pki.CertFile))
	if !newCA {
		warnPreBackdateCA(logger, ca, cfg.CA.Dir)
	}
	minter := pki.NewMinter(ca, time.Now, rand.Reader)
	salt, err := sessionSalt(rand.Reader)
	if err != nil {
		return err
	}

	engine := faults.NewEngine(time.Now)
	if err := engine.Set(cfg.Faults); err != nil {
		return configError{err}
	}

	// The admin API is built now and serves once everything is bound; it
	// sees the listeners through an atomic swap once they are all built.
	var serversBuilt atomic.Pointer[[]*listener.Server]
	var sink *eventSink
	var adminAPI *admin.Server
	if cfg.Admin.Listen != "" {
		if err := admin.CheckListen(cfg.Admin.Listen, cfg.Admin.AllowRemote, cfg.Admin.Token); err != nil {
			return configError{cfg.KeyError("admin.listen", err)}
		}
		adminAPI, err = admin.New(admin.Options{Engine: engine, Token: cfg.Admin.Token, Now: time.Now, Version: version,
			SyslogDropped: logOut.syslogDropped(),
			Listeners: func() []admin.ListenerStats {
				var servers []*listener.Server
				if p := serversBuilt.Load(); p != nil {
					servers = *p
				}
				out := make([]admin.ListenerStats, 0, len(servers))
				for _, s := range servers {
					o := s.Options()
					down, downs := s.Down()
					out = append(out, admin.ListenerStats{Site: o.Site(),
						Active: s.Active(), Refused: s.Refused(), Down: down, Downs: downs})
				}
				return out
			}})
		if err != nil {
			return err
		}
		host, _ := os.Hostname()
		if sink, err = newEventSink(adminAPI, host, os.Getpid(), cfg.Log.Lang); err != nil {
			return err
		}
	}

	// Build every listener before binding anything: listener.New loads the
	// certificates, keys and CA files and opens the key log, and config has
	// checked them, but a file can change in between.
	var ids atomic.Uint64
	nextID := func() uint64 { return ids.Add(1) }
	type bound struct {
		srv *listener.Server
		ln  net.Listener
	}
	all := make([]bound, 0, len(cfg.Listeners))
	// release undoes the start-up so far: it closes the sockets bound and
	// the key logs opened, none of them served yet.
	release := func() {
		for _, b := range all {
			if b.ln != nil {
				_ = b.ln.Close()
			}
			_ = b.srv.Shutdown(context.Background())
		}
	}
	// adminURL is where tlsgate fault reaches this process, for a refuse
	// rule's down lines: set when the admin API is bound, after every
	// listener is built (New's errors are the config's, reported before
	// any bind) and before any listener's socket is bound or served, so
	// a port the kernel chose is in it.
	var adminURL string
	// One for all listeners: a proxy_skew leg of one reaches another (the
	// lab's origin), which then names the shifted clock.
	skewed := &listener.SkewedDials{}
	holdP := uringHoldP(cfg.Listeners, runtime.GOMAXPROCS(0))
	hostAddrs, err := newHostAddrs(logger, time.Now, transparent.LocalIPs)
	if err != nil {
		return err
	}
	for i, o := range cfg.Listeners {
		deps := listener.Deps{Logger: logger, Now: time.Now, Minter: minter, NextID: nextID, SessionSalt: salt,
			OriginalDst: transparent.Lookup, LocalIPs: hostAddrs.Get, Faults: engine, AdminURL: func() string { return adminURL },
			FaultAdmin: func() string { return faultAdmin(adminURL) }, CAFile: caPath, SkewedDials: skewed}
		if sink != nil {
			deps.OnOutcomeLent = sink.observe
			// A refuse rule's firings come with no connection: counted
			// in the same firings metric, without an Outcome.
			deps.OnFiring = adminAPI.ObserveFiring
			// A refuse rule's down and up make no connection either:
			// the event stream gets them as listener events.
			deps.OnDown = adminAPI.ObserveDown
		}
		// The cores newLogger builds encode each line before Write
		// returns, and the event stream gives back what it kept.
		deps.Reuse = true
		deps.AdminToken = adminAPI != nil && cfg.Admin.Token != ""
		deps.Lang = cfg.Log.Lang
		deps.UringHoldP = holdP
		srv, err := listener.New(o, deps)
		if err != nil {
			release()
			key := fmt.Sprintf("listener[%d]", i)
			var oe *listener.OptionError
			if errors.As(err, &oe) {
				key += "." + oe.Key // the key's own line, not the table's
			}
			return configError{cfg.KeyError(key, err)}
		}
		all = append(all, bound{srv: srv})
	}

	// Bind every socket before serving any, so one taken address stops the
	// whole start-up instead of leaving a half-running gateway. A bind error
	// is the machine's state, not the file's: exit 1, naming the key.
	addrs := map[string]net.Addr{}
	var aln net.Listener
	if adminAPI != nil {
		if aln, err = net.Listen("tcp", cfg.Admin.Listen); err != nil {
			release()
			return cfg.KeyError("admin.listen", fmt.Errorf("admin: %w", err))
		}
		addrs["admin"] = aln.Addr()
		adminURL = adminClientURL(cfg.Admin.Listen, aln.Addr())
	}
	for i := range all {
		o := all[i].srv.Options()
		lc := transparent.ListenConfig(o.Transparent == listener.TransparentTProxy)
		lc.KeepAlive = -1 // idle_timeout ends dead clients; probes cost syscalls per accept
		// Listen, not lc.Listen: a refuse rule in the config keeps the
		// socket from listening at all, so nothing is accepted (and then
		// reset) before Serve runs.
		ln, err := all[i].srv.Listen(ctx, lc)
		if err != nil {
			if aln != nil {
				_ = aln.Close()
			}
			release()
			return cfg.KeyError(fmt.Sprintf("listener[%d].listen", i), fmt.Errorf("listener %s: %w", o.Name, err))
		}
		all[i].ln = ln
		addrs[o.Name] = ln.Addr()
	}
	// The demo backend binds last, since startDemo also starts serving it.
	if cfg.Demo.Listen != "" {
		demo, err := startDemo(cfg.Demo.Listen)
		if err != nil {
			if aln != nil {
				_ = aln.Close()
			}
			release()
			return cfg.KeyError("demo.listen", err)
		}
		defer demo.close()
		addrs["demo"] = demo.addr()
	}
	if newCA {
		if err := ca.Save(cfg.CA.Dir); err != nil {
			if aln != nil {
				_ = aln.Close()
			}
			release()
			return configError{cfg.KeyError("ca.dir", err)}
		}
		logger.Info("created a new lab CA", zap.String("cert", caPath))
	}
	started = true

	// Everything is bound: from here on nothing fails for config reasons.
	if a, ok := addrs["demo"]; ok {
		logger.Info("demo backend listening", zap.String("listen", a.String()))
	}
	if aln != nil {
		adminSrv := adminAPI.HTTPServer()
		go func() { _ = adminSrv.Serve(aln) }()
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = adminSrv.Shutdown(ctx)
		}()
		logger.Info("admin API listening", zap.String("listen", aln.Addr().String()),
			zap.String("try", adminTryHint(adminURL, cfg.Admin.Token != "")))
	}
	built := make([]*listener.Server, 0, len(all))
	for _, b := range all {
		built = append(built, b.srv)
	}
	serversBuilt.Store(&built)
	// The system roots decide whether a configured certificate's hint
	// needs --cacert at all; an unreadable store trusts nothing.
	systemRoots, err := x509.SystemCertPool()
	if err != nil {
		systemRoots = x509.NewCertPool()
	}
	for _, b := range all {
		o := b.srv.Options()
		eng, why := b.srv.EngineFor(b.ln)
		// The configured address, not [::] for a dual-stack 0.0.0.0.
		shown := listener.ShownAddr(o.Listen, b.ln.Addr())
		fields := []zap.Field{zap.String("listener", o.Name), zap.String("listen", shown.String()),
			zap.String("mode", string(o.Mode)), zap.String("backend", o.Backend), zap.String("engine", string(eng))}
		if why != "" {
			fields = append(fields, zap.String("engine_why", why))
		}
		served := servedCertOf(o, b.srv.ConfiguredChain(), systemRoots, time.Now())
		// A listener a refuse rule holds down from the start refuses any
		// command the hint could give (or, syn_drop, lets it time out).
		var held []string
		if down, _ := b.srv.Down(); down {
			for _, h := range engine.Holding(o.Name) {
				held = append(held, h.Rule)
			}
		}
		hint := tryHint(o, shown, caPath, served, held)
		if len(held) > 0 && b.srv.Dropping() {
			hint = dropHint(held)
		}
		logger.Info("listening", append(fields, zap.String("try", hint))...)
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
	// Every listener stops accepting at once and drains within the same
	// grace: one after another, a later listener would accept new
	// connections while an earlier one drained, then get no grace at all.
	var smu sync.Mutex
	var swg sync.WaitGroup
	for _, b := range all {
		swg.Add(1)
		go func() {
			defer swg.Done()
			if err := b.srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				smu.Lock()
				runErr = errors.Join(runErr, err)
				smu.Unlock()
			}
		}()
	}
	swg.Wait()
	wg.Wait()
	return runErr
}

// keyedError is a start-up failure that comes from one config key (the log
// file, the syslog target), so serve can point at the key's line.
type keyedError struct {
	key string // as config.KeyError takes it
	err error
}

func (e keyedError) Error() string { return e.key + ": " + e.err.Error() }
func (e keyedError) Unwrap() error { return e.err }

// faultAdmin is the --admin a `tlsgate fault` command needs to reach the
// admin API at url: "" when the command's built-in default already does
// (or there is none), so the usual setup's commands stay short.
func faultAdmin(url string) string {
	if url == "http://"+admin.DefaultListen {
		return ""
	}
	return url
}

// faultAdminFlag is faultAdmin as the flag, with its leading space, for
// a command line; "" for the default.
func faultAdminFlag(url string) string {
	if u := faultAdmin(url); u != "" {
		return " --admin " + u
	}
	return ""
}
