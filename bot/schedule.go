package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ErrBadSchedule is wrapped by every refusal of a digest spec or zone; its
// message says what would be valid, so a member sees it as it is.
var ErrBadSchedule = errors.New("invalid digest schedule")

// DefaultDigestSpec is the digest schedule when none is configured: Monday 09:00.
const DefaultDigestSpec = "0 9 * * MON"

// minDigestGap is the shortest time allowed between two digests of a
// channel: anything more frequent is noise, not a digest.
const minDigestGap = time.Hour

// Schedule is when a channel's digest fires: a standard 5-field cron spec
// read in a time zone.
//
// Fire times are computed on the zone's wall clock and only then mapped to
// instants, so daylight-saving changes neither skip nor double a digest: a
// wall-clock time that does not exist (spring) fires at the instant Go maps
// it to (02:30 → 03:30 CEST), and one that exists twice (autumn) is one
// instant. robfig/cron's own Next walks absolute time in the zone and would
// skip the first and fire the second twice.
type Schedule struct {
	Spec string
	Zone *time.Location
	wall cron.Schedule // the spec on a UTC "wall clock"
}

// ParseSchedule validates spec (5 fields, or a descriptor such as @weekly)
// and zone (an IANA name such as Europe/Berlin; empty means UTC).
func ParseSchedule(spec, zone string) (Schedule, error) {
	if zone == "" {
		zone = "UTC"
	}
	if zone == "Local" || strings.HasPrefix(zone, "/") || strings.Contains(zone, "..") {
		return Schedule{}, fmt.Errorf("%w: %q is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC", ErrBadSchedule, zone)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Schedule{}, fmt.Errorf("%w: %q is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC", ErrBadSchedule, zone)
	}
	return NewSchedule(spec, loc)
}

// NewSchedule is ParseSchedule with a loaded zone.
func NewSchedule(spec string, loc *time.Location) (Schedule, error) {
	spec = strings.Join(strings.Fields(spec), " ")
	if loc == nil {
		loc = time.UTC
	}
	if strings.Contains(spec, "TZ=") {
		return Schedule{}, fmt.Errorf("%w: give the time zone separately, not as TZ= in the spec", ErrBadSchedule)
	}
	c, err := cron.ParseStandard(spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("%w: %q is not a cron spec (minute hour day-of-month month day-of-week, e.g. %q for Monday 09:00): %v",
			ErrBadSchedule, spec, DefaultDigestSpec, err)
	}
	if _, ok := c.(*cron.SpecSchedule); !ok {
		return Schedule{}, fmt.Errorf("%w: %q: use a cron spec such as %q, not an interval", ErrBadSchedule, spec, DefaultDigestSpec)
	}
	s := Schedule{Spec: spec, Zone: loc, wall: c}
	// A spec must fire, and not more than once an hour.
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := time.Time{}
	for range 64 {
		t = s.wall.Next(t)
		if t.IsZero() {
			return Schedule{}, fmt.Errorf("%w: %q never fires", ErrBadSchedule, spec)
		}
		if !prev.IsZero() && t.Sub(prev) < minDigestGap {
			return Schedule{}, fmt.Errorf("%w: %q fires more than once an hour; a digest needs at least an hour between runs", ErrBadSchedule, spec)
		}
		prev = t
	}
	return s, nil
}

// Valid reports whether s was made by ParseSchedule or NewSchedule.
func (s Schedule) Valid() bool { return s.wall != nil }

// ZoneName is the IANA name of the schedule's zone.
func (s Schedule) ZoneName() string {
	if s.Zone == nil {
		return "UTC"
	}
	return s.Zone.String()
}

// floating returns t's wall clock in the schedule's zone as a UTC time.
func (s Schedule) floating(t time.Time) time.Time {
	w := t.In(s.Zone)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
}

// instant maps a wall-clock time (as UTC fields) to an instant in the zone.
func (s Schedule) instant(w time.Time) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, s.Zone)
}

// Next returns the first fire time strictly after t, or the zero time when
// the spec never fires again.
func (s Schedule) Next(t time.Time) time.Time {
	// Start a few hours back on the wall clock: in the repeated autumn hour
	// the wall clock is behind the instants it maps to, so a wall time that
	// looks passed may still be ahead. Walk forward to the first instant
	// after t. (Instants grow with wall times because fires are at least
	// minDigestGap apart.)
	w := s.floating(t).Add(-3 * time.Hour)
	for range 1000 {
		w = s.wall.Next(w)
		if w.IsZero() {
			return time.Time{}
		}
		if at := s.instant(w); at.After(t) {
			return at.UTC()
		}
	}
	return time.Time{}
}

// Last returns the latest fire time at or before t, or the zero time when
// there is none in the past year.
func (s Schedule) Last(t time.Time) time.Time {
	// Step back until a fire time lies in [t-back, t], then walk forward to
	// the last one.
	for back := time.Hour; back <= 400*24*time.Hour; back *= 2 {
		f := s.Next(t.Add(-back))
		if f.IsZero() || f.After(t) {
			continue
		}
		for {
			n := s.Next(f)
			if n.IsZero() || n.After(t) {
				return f
			}
			f = n
		}
	}
	return time.Time{}
}

// Period returns the period a digest fired at end covers: from the previous
// fire time up to end. Without a previous fire time in the past year, the
// period is the week before end.
func (s Schedule) Period(end time.Time) (start time.Time) {
	if p := s.Last(end.Add(-time.Millisecond)); !p.IsZero() {
		return p
	}
	return end.Add(-7 * 24 * time.Hour)
}

// Describe says when the schedule fires in words members read, for the
// forms the chat commands produce, and the spec itself otherwise.
func (s Schedule) Describe() string {
	f := strings.Fields(s.Spec)
	if len(f) == 5 && isNumber(f[0]) && isNumber(f[1]) && f[2] == "*" && f[3] == "*" {
		h, m := atoi(f[1]), atoi(f[0])
		at := fmt.Sprintf("%02d:%02d", h, m)
		if f[4] == "*" {
			return "daily at " + at + " " + s.ZoneName()
		}
		if d, ok := weekdayOf(f[4]); ok {
			return "weekly on " + d.String() + " at " + at + " " + s.ZoneName()
		}
	}
	return "on cron “" + s.Spec + "” in " + s.ZoneName()
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func isNumber(s string) bool {
	if s == "" || len(s) > 2 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"0": time.Sunday, "1": time.Monday, "2": time.Tuesday, "3": time.Wednesday,
	"4": time.Thursday, "5": time.Friday, "6": time.Saturday, "7": time.Sunday,
}

// weekdayOf reads a day name ("mon", "Monday", "tue", "1").
func weekdayOf(s string) (time.Weekday, bool) {
	s = strings.ToLower(s)
	if len(s) > 3 {
		for _, d := range []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday} {
			if strings.ToLower(d.String()) == s {
				return d, true
			}
		}
		return 0, false
	}
	d, ok := weekdayNames[s]
	return d, ok
}
