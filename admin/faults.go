package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// find returns the named rule's status.
func (s *Server) find(name string) (faults.RuleStatus, bool) {
	for _, st := range s.o.Engine.List() {
		if st.Rule.Name == name {
			return st, true
		}
	}
	return faults.RuleStatus{}, false
}

func notFound(w http.ResponseWriter, name string) {
	writeJSON(w, http.StatusNotFound, APIError{Error: fmt.Sprintf("admin: no rule named %q", name), Field: "name", Rule: name})
}

func (s *Server) listFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.o.Engine.List())
}

func (s *Server) getFault(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	st, ok := s.find(name)
	if !ok {
		notFound(w, name)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// addFault adds one rule: 201 with its status, 400 naming the bad field,
// 409 when the name is taken.
func (s *Server) addFault(w http.ResponseWriter, r *http.Request) {
	b, err := s.readBody(w, r)
	if err != nil {
		writeErr(w, bodyStatus(err), err)
		return
	}
	rule, err := DecodeRule(b)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	// Validate first: then the only way Add can fail is a taken name,
	// which is a conflict with the server's state rather than bad input.
	if err := rule.Validate(); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if err := s.checkRule(rule, -1); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if err := s.o.Engine.Add(rule); err != nil {
		writeErr(w, http.StatusConflict, err)
		return
	}
	s.metrics.forgetActions()
	st, ok := s.find(rule.Name)
	if !ok {
		// Removed by another request between the two calls.
		notFound(w, rule.Name)
		return
	}
	w.Header().Set("Location", "/faults/"+url.PathEscape(rule.Name))
	writeJSON(w, http.StatusCreated, st)
}

// replaceFaults swaps the whole rule set: all or nothing.
func (s *Server) replaceFaults(w http.ResponseWriter, r *http.Request) {
	b, err := s.readBody(w, r)
	if err != nil {
		writeErr(w, bodyStatus(err), err)
		return
	}
	rules, err := DecodeRules(b)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	seen := make(map[string]int, len(rules))
	for i, rule := range rules {
		if err := rule.Validate(); err != nil {
			field, _ := ruleErrorField(err)
			writeErr(w, http.StatusBadRequest, &FieldError{Field: field, Index: i, Rule: rule.Name, Err: err})
			return
		}
		if err := s.checkRule(rule, i); err != nil {
			writeErr(w, http.StatusBadRequest, err)
			return
		}
		if j, dup := seen[rule.Name]; dup {
			writeErr(w, http.StatusBadRequest, &FieldError{Field: "name", Index: i, Rule: rule.Name,
				Err: fmt.Errorf("rule %q appears twice (also at index %d)", rule.Name, j)})
			return
		}
		seen[rule.Name] = i
	}
	if err := s.o.Engine.Set(rules); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	s.metrics.forgetActions()
	writeJSON(w, http.StatusOK, s.o.Engine.List())
}

// checkRule refuses what the config file refuses beyond Validate: a rule
// for a listener that does not exist, and a client_auth rule whose CA file
// (relative to tlsgate's working directory) adds no CA.
func (s *Server) checkRule(rule faults.Rule, index int) error {
	if err := s.checkListener(rule, index); err != nil {
		return err
	}
	if rule.Action != faults.ActClientAuth {
		return nil
	}
	for _, ca := range rule.AcceptCAs {
		if ca == faults.CALab || ca == faults.CANone {
			continue
		}
		if _, err := listener.LoadCAFile(ca); err != nil {
			return &FieldError{Field: "accept_cas", Index: index, Rule: rule.Name,
				Err: fmt.Errorf("%q is not a usable CA file (want %q, %q or a PEM file of CA certificates; relative to tlsgate's working directory): %w", ca, faults.CALab, faults.CANone, err)}
		}
	}
	return nil
}

// checkListener refuses a rule for a listener that does not exist, and a
// rule that acts only on a TLS handshake tlsgate runs (a bad chain, a client
// certificate request, anything at handshake_done) aimed at listeners that run none, as the config file
// does: either would never fire, and nothing would say why.
func (s *Server) checkListener(rule faults.Rule, index int) error {
	if s.o.Listeners == nil {
		return nil
	}
	ls := s.o.Listeners()
	if len(ls) == 0 {
		return nil
	}
	if rule.Action == faults.ActHTTPDate {
		return checkSeesHTTP(rule, index, ls)
	}
	field, what := "", ""
	switch {
	case rule.Action == faults.ActChain:
		field, what = "action", "serves a bad certificate chain"
	case rule.Action == faults.ActOCSPTimes:
		field, what = "action", "staples an OCSP response to the certificate of a handshake tlsgate runs"
	case rule.Action == faults.ActClientAuth:
		field, what = "action", "asks for a client certificate in a handshake"
	case rule.Stage == faults.StageHandshakeDone:
		field, what = "stage", "acts after a handshake"
	}
	if rule.Listener == "" {
		if field == "" || slices.ContainsFunc(ls, func(l ListenerStats) bool { return l.Mode == "" || l.Terminates }) {
			return nil
		}
		return &FieldError{Field: field, Index: index, Rule: rule.Name,
			Err: fmt.Errorf("rule %q %s, but no listener terminates TLS; this rule would never fire (it needs a listener with %s)",
				rule.Name, what, listener.TerminatingModes)}
	}
	var names []string
	for _, l := range ls {
		if l.Name != rule.Listener {
			names = append(names, l.Name)
			continue
		}
		if field == "" || l.Mode == "" || l.Terminates {
			return nil
		}
		return &FieldError{Field: field, Index: index, Rule: rule.Name,
			Err: fmt.Errorf("rule %q %s on listener %q, which has %s and terminates no TLS; this rule would never fire (it needs %s)",
				rule.Name, what, l.Name, listener.ModeWords(l.Mode, false), listener.TerminatingModes)}
	}
	return &FieldError{Field: "listener", Index: index, Rule: rule.Name,
		Err: fmt.Errorf("no listener named %q (listeners: %s); this rule would never fire", rule.Listener, strings.Join(names, ", "))}
}

// checkSeesHTTP refuses an http_date rule (it edits the responses' Date)
// aimed only at passthrough listeners, which read no HTTP, as the config
// file does. A listener whose mode is not known is not second-guessed.
func checkSeesHTTP(rule faults.Rule, index int, ls []ListenerStats) error {
	sees := func(l ListenerStats) bool { return l.Mode != listener.Passthrough }
	if rule.Listener == "" {
		if slices.ContainsFunc(ls, sees) {
			return nil
		}
		return &FieldError{Field: "action", Index: index, Rule: rule.Name,
			Err: fmt.Errorf("rule %q rewrites the Date of HTTP responses, but every listener passes TLS through and reads no HTTP; this rule would never fire (it needs a listener with %s)",
				rule.Name, listener.SeesHTTPModes)}
	}
	var names []string
	for _, l := range ls {
		if l.Name != rule.Listener {
			names = append(names, l.Name)
			continue
		}
		if sees(l) {
			return nil
		}
		return &FieldError{Field: "action", Index: index, Rule: rule.Name,
			Err: fmt.Errorf("rule %q rewrites the Date of HTTP responses on listener %q, which has %s and reads no HTTP (TLS it passes through is opaque to it); this rule would never fire (it needs %s)",
				rule.Name, l.Name, listener.ModeWords(l.Mode, l.Terminates), listener.SeesHTTPModes)}
	}
	return &FieldError{Field: "listener", Index: index, Rule: rule.Name,
		Err: fmt.Errorf("no listener named %q (listeners: %s); this rule would never fire", rule.Listener, strings.Join(names, ", "))}
}

func (s *Server) removeFault(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	// Remove fails only when no rule has the name.
	if err := s.o.Engine.Remove(name); err != nil {
		notFound(w, name)
		return
	}
	s.metrics.forgetActions()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) enableFault(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := s.o.Engine.SetEnabled(name, on); err != nil {
			notFound(w, name)
			return
		}
		st, ok := s.find(name)
		if !ok {
			notFound(w, name)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

func (s *Server) resetFaults(w http.ResponseWriter, _ *http.Request) {
	s.o.Engine.ResetCounters()
	writeJSON(w, http.StatusOK, s.o.Engine.List())
}

// bodyStatus is 413 for an oversized body and 400 for any other read failure.
func bodyStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}
