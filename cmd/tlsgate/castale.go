package main

import (
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/pki"
)

// msgPreBackdateCA is the start-up line for a lab CA made before tlsgate
// backdated its CA by ten years.
const msgPreBackdateCA = "lab CA predates the 10-year backdating: leaves that faults backdate (expired, clock skew, stale OCSP) can start before the CA itself, and clients then report that instead"

// warnPreBackdateCA says once, at start-up, that the loaded CA's validity
// starts when it was made, and how to make a new one. It changes nothing:
// the clients trust this CA, and only the operator can decide to replace
// it and trust the new one.
func warnPreBackdateCA(logger *zap.Logger, ca *pki.CA, dir string) {
	if !ca.PredatesBackdating() {
		return
	}
	cert, key := filepath.Join(dir, pki.CertFile), filepath.Join(dir, pki.KeyFile)
	logger.Warn(msgPreBackdateCA,
		zap.String("cert", cert),
		zap.String("not_before", ca.NotBefore().UTC().Format(time.RFC3339)),
		zap.String("fix", "move "+cert+" and "+key+" aside, run `tlsgate ca init --ca-dir "+dir+
			"` (or start tlsgate again), and trust the new "+pki.CertFile+" on the clients; tlsgate never replaces a CA by itself"))
}
