package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// browserBudget bounds the whole browser session: start, every wait and
// the screenshot. It is a ceiling for a hung browser, not a speed check.
const browserBudget = 60 * time.Second

// Viewport of a classroom projector (16:10).
const viewW, viewH = 1600, 1000

// browser is one headless Chromium tab and what its page printed.
type browser struct {
	ctx  context.Context
	out  *tg.Buffer // the browser process's stdout and stderr
	mu   sync.Mutex
	logs []chromedp.ConsoleMessage
}

// startBrowser launches Chromium with the flags this machine needs (root,
// no GPU, no network beyond loopback) and a throwaway profile. Everything
// is torn down at cleanup.
func startBrowser(t *testing.T, exe string) *browser {
	t.Helper()
	b := &browser{out: &tg.Buffer{}}
	profile, err := os.MkdirTemp("", "tlsgate-ui-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Removed after the browser is gone: cleanups run last-registered first.
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		// Everything the page loads is on loopback: no proxy may intercept it.
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(viewW, viewH),
		chromedp.CombinedOutput(b.out),
	}
	budget, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		cancelBudget()
	})
	// Start the browser now, so a launch failure is reported as one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("ui: starting %s: %v\nbrowser output:\n%s", exe, err, b.out.String())
	}
	b.ctx = ctx
	msgs := chromedp.Console(ctx) // subscribed from here on
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.logs = append(b.logs, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// otherTab runs steps in a new tab of the same browser, one whose console
// the test does not watch, and closes it.
func (b *browser) otherTab(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tab, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	ctx, cancel := context.WithTimeout(tab, waitLimit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("ui: %s: %v", what, err)
	}
}

// do runs steps, failing the test with what is known about the page.
func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitLimit)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("ui: %s: %v\n%s", what, err, b.report())
	}
	t.Logf("ui: %s (%v)", what, time.Since(start).Round(time.Millisecond))
}

// text returns the text of the first element sel matches.
func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitLimit)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("ui: text of %s: %v\n%s", sel, err, b.report())
	}
	return s
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("ui: evaluating %s: %v\n%s", expr, err, b.report())
	}
	return v
}

// problems are the page's uncaught exceptions and console errors: a live
// view that throws is broken even when the checked elements show up.
func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.logs {
		if m.IsException() || m.Type == chromedp.ConsoleError {
			out = append(out, m.String())
		}
	}
	return out
}

// report is the page's console, for failure messages.
func (b *browser) report() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var sb strings.Builder
	sb.WriteString("page console:\n")
	for _, m := range b.logs {
		sb.WriteString("  " + m.String() + "\n")
	}
	return sb.String()
}

// screenshot saves a PNG of the whole page into the artifact directory
// ($TEST_ARTIFACTS, or a new temporary directory that is kept) and logs its path.
func (b *browser) screenshot(t *testing.T, name string) string {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("ui: screenshot: %v", err)
	}
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "tlsgate-ui-artifacts-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}
