package gonogo

import (
	"strings"
	"time"
)

// TeamSettings are the board-wide settings admins change: the team's time
// zone and its low-traffic hours.
type TeamSettings struct {
	Zone       string
	LowTraffic LowTraffic
	// Reminders are the team's reminder hours, which a product may
	// override; nil until an admin saves them: DefaultReminders.
	Reminders *ReminderSettings `json:",omitempty"`
}

// RemindersOrDefault is the team's reminder hours.
func (t TeamSettings) RemindersOrDefault() ReminderSettings {
	if t.Reminders == nil {
		return DefaultReminders
	}
	return *t.Reminders
}

// Location is the settings' zone, or fallback when none is set.
func (t TeamSettings) Location(fallback *time.Location) *time.Location {
	if t.Zone != "" {
		if loc, err := time.LoadLocation(t.Zone); err == nil {
			return loc
		}
	}
	if fallback == nil {
		return time.UTC
	}
	return fallback
}

// ChangeTeamSettings checks settings an admin saves and returns the audit
// of them: the zone must be a known IANA name, or empty for the server's
// default.
func ChangeTeamSettings(t TeamSettings) (Audit, error) {
	if t.Zone != "" {
		if _, err := time.LoadLocation(t.Zone); err != nil || strings.Contains(t.Zone, "..") {
			return Audit{}, FieldErrorf("zone", "%q is not a time zone; use a name such as Europe/Berlin", t.Zone)
		}
	}
	return audit(ActionTeamSettings, "set the time zone to %q, the low-traffic hours and the reminders (%s)", t.Zone, t.RemindersOrDefault()), nil
}
