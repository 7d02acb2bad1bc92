package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// list is every rule's status, as the engine lists it, with the listeners
// each refuse rule holds down now: a listener that is down (its socket
// does not listen) is held by every refuse rule Engine.Holding names for
// it, since it listens again only when all have ended.
func (s *Server) list() []faults.RuleStatus {
	sts := s.o.Engine.List()
	held := map[string][]string{}
	for _, l := range s.o.Listeners() {
		if !l.Down {
			continue
		}
		for _, h := range s.o.Engine.Holding(l.Name) {
			held[h.Rule] = append(held[h.Rule], l.Name)
		}
	}
	for i := range sts {
		sts[i].HoldingDown = held[sts[i].Rule.Name]
	}
	return sts
}

// find returns the named rule's status.
func (s *Server) find(name string) (faults.RuleStatus, bool) {
	for _, st := range s.list() {
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
	writeJSON(w, http.StatusOK, s.list())
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
	writeJSON(w, http.StatusOK, s.list())
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
// rule aimed only at listeners where it cannot act (a handshake tlsgate
// runs, a verified upstream, HTTP it can read, TLS carried past the hello:
// faults.Rule.Need), as the config file does through the same
// check: either would never fire, and nothing would say why.
func (s *Server) checkListener(rule faults.Rule, index int) error {
	if s.o.Listeners == nil {
		return nil
	}
	ls := s.o.Listeners()
	if len(ls) == 0 {
		return nil
	}
	sites := make([]listener.Site, 0, len(ls))
	var names []string
	known := rule.Listener == ""
	for _, l := range ls {
		sites = append(sites, l.Site)
		if l.Name == rule.Listener {
			known = true
		} else {
			names = append(names, l.Name)
		}
	}
	if !known {
		return &FieldError{Field: "listener", Index: index, Rule: rule.Name,
			Err: fmt.Errorf("no listener named %q (listeners: %s); this rule would never fire", rule.Listener, strings.Join(names, ", "))}
	}
	if field, err := listener.RuleMisfit(rule, fmt.Sprintf("rule %q", rule.Name), sites); err != nil {
		return &FieldError{Field: field, Index: index, Rule: rule.Name, Err: err}
	}
	return nil
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
	writeJSON(w, http.StatusOK, s.list())
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
