package faults

import "time"

// Clock is the engine's time with its timers. A schedule (start_after,
// duration) is read on Now, and whoever waits for its next boundary waits
// on At of the same clock, so a fake clock in a test or a lab replay moves
// both: a boundary passes when the fake clock is moved past it, never
// when real time would have.
type Clock interface {
	Now() time.Time
	// At returns a channel that receives once the clock reads t or later:
	// at once when it already does.
	At(t time.Time) <-chan time.Time
}

// NewEngineClock returns an engine without rules whose schedules, fire
// times and schedule waits (At) follow c.
func NewEngineClock(c Clock) *Engine {
	e := NewEngine(c.Now)
	e.at = c.At
	return e
}

// Now reads the engine's clock: the one its schedules are on.
func (e *Engine) Now() time.Time { return e.now() }

// At returns a channel that receives once the engine's clock reads t or
// later. An engine made by NewEngine waits in real time for the distance
// its now func gives, so a shifted clock still waits the right span.
func (e *Engine) At(t time.Time) <-chan time.Time {
	if e.at != nil {
		return e.at(t)
	}
	return time.After(max(t.Sub(e.now()), 0))
}
