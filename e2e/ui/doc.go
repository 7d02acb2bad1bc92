// Package ui tests the admin server's live view in a real browser: it builds
// tlsgate, runs it with an admin API, a TLS listener and one fault rule, and
// drives Debian's headless Chromium over the DevTools protocol (chromedp)
// while real clients make connections. It has no non-test code.
package ui
