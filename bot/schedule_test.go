package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

func TestParseScheduleRefusesWithWhatIsValid(t *testing.T) {
	for _, tc := range []struct {
		spec, zone, want string
	}{
		{"0 9 * * MON", "Mars/Olympus", "IANA name such as Europe/Berlin"},
		{"0 9 * * MON", "Local", "IANA name"},
		{"0 9 * *", "UTC", "minute hour day-of-month month day-of-week"},
		{"61 9 * * MON", "UTC", "is not a cron spec"},
		{"* * * * *", "UTC", "at least an hour"},
		{"@every 2h", "UTC", "not an interval"},
		{"CRON_TZ=Europe/Berlin 0 9 * * MON", "UTC", "time zone separately"},
		{"0 9 30 2 *", "UTC", "never fires"},
	} {
		_, err := bot.ParseSchedule(tc.spec, tc.zone)
		if !errors.Is(err, bot.ErrBadSchedule) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSchedule(%q, %q) = %v, want an ErrBadSchedule saying %q", tc.spec, tc.zone, err, tc.want)
		}
	}
	s, err := bot.ParseSchedule("0 9 * * MON", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Describe(); got != "weekly on Monday at 09:00 Europe/Berlin" {
		t.Errorf("Describe = %q", got)
	}
}

func TestParseDigestSetting(t *testing.T) {
	for _, tc := range []struct {
		verb, args, zone, spec, wantZone string
	}{
		{"weekly", "mon 09:00 Europe/Berlin", "UTC", "0 9 * * 1", "Europe/Berlin"},
		{"weekly", "Friday 16:45", "Europe/Paris", "45 16 * * 5", "Europe/Paris"},
		{"daily", "17:30", "UTC", "30 17 * * *", "UTC"},
		{"daily", "7:05 America/New_York", "UTC", "5 7 * * *", "America/New_York"},
		{"cron", "0 9 1 * * Asia/Tokyo", "UTC", "0 9 1 * *", "Asia/Tokyo"},
		{"cron", "@weekly", "UTC", "@weekly", "UTC"},
	} {
		s, err := bot.ParseDigestSetting(tc.verb, tc.args, tc.zone)
		if err != nil || s.Spec != tc.spec || s.ZoneName() != tc.wantZone {
			t.Errorf("%s %s: %q %q %v, want %q %q", tc.verb, tc.args, s.Spec, s.ZoneName(), err, tc.spec, tc.wantZone)
		}
	}
	for _, bad := range [][2]string{
		{"weekly", "someday 09:00"}, {"weekly", "mon 25:00"}, {"weekly", "mon 9"}, {"daily", "17:3"},
		{"daily", "17:30 Nowhere/Land"}, {"weekly", "mon"}, {"cron", "0 9"}, {"fortnightly", "mon 09:00"},
	} {
		if _, err := bot.ParseDigestSetting(bad[0], bad[1], "UTC"); err == nil {
			t.Errorf("%s %s accepted", bad[0], bad[1])
		}
	}
}

// fires lists the schedule's fire times in [from, to).
func fires(s bot.Schedule, from, to time.Time) []time.Time {
	var out []time.Time
	for t := s.Next(from.Add(-time.Nanosecond)); !t.IsZero() && t.Before(to); t = s.Next(t) {
		out = append(out, t)
	}
	return out
}

func TestScheduleAcrossDaylightSaving(t *testing.T) {
	daily, err := bot.ParseSchedule("30 2 * * *", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	weekly, err := bot.ParseSchedule("0 9 * * MON", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		s        bot.Schedule
		from, to time.Time
		want     []string // local times
	}{
		{"spring: 02:30 does not exist, runs at 03:30 CEST once", daily,
			time.Date(2026, 3, 28, 0, 0, 0, 0, berlin), time.Date(2026, 3, 31, 0, 0, 0, 0, berlin),
			[]string{"2026-03-28 02:30 CET", "2026-03-29 03:30 CEST", "2026-03-30 02:30 CEST"}},
		{"autumn: 02:30 exists twice, runs once", daily,
			time.Date(2026, 10, 24, 0, 0, 0, 0, berlin), time.Date(2026, 10, 27, 0, 0, 0, 0, berlin),
			[]string{"2026-10-24 02:30 CEST", "2026-10-25 02:30 CET", "2026-10-26 02:30 CET"}},
		{"weekly Monday 09:00 over both changes", weekly,
			time.Date(2026, 3, 22, 0, 0, 0, 0, berlin), time.Date(2026, 4, 7, 0, 0, 0, 0, berlin),
			[]string{"2026-03-23 09:00 CET", "2026-03-30 09:00 CEST", "2026-04-06 09:00 CEST"}},
		{"weekly Monday 09:00 autumn", weekly,
			time.Date(2026, 10, 19, 0, 0, 0, 0, berlin), time.Date(2026, 11, 3, 0, 0, 0, 0, berlin),
			[]string{"2026-10-19 09:00 CEST", "2026-10-26 09:00 CET", "2026-11-02 09:00 CET"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range fires(tc.s, tc.from, tc.to) {
				got = append(got, f.In(berlin).Format("2006-01-02 15:04 MST"))
			}
			if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
				t.Errorf("fires\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	// Next from inside the repeated autumn hour, after the first 02:30 has
	// passed in real time, does not go back to it.
	inRepeat := time.Date(2026, 10, 25, 0, 40, 0, 0, time.UTC) // 02:40 CEST, then 02:00 CET comes
	if n := daily.Next(inRepeat); !n.Equal(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("Next(%v) = %v", inRepeat.In(berlin), n.In(berlin))
	}
	if l := daily.Last(time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC)); !l.Equal(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("Last after the spring gap = %v", l.In(berlin))
	}
	if p := weekly.Period(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)); !p.Equal(time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Period start = %v", p.In(berlin))
	}
}
