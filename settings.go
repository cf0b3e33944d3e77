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
	return audit(ActionTeamSettings, "set the time zone to %q and the low-traffic hours", t.Zone), nil
}
