package gonogo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reminders: the board tells the roles that have not signed, on its own,
// when a review has waited long and again when its window comes near, and
// escalates to the release manager when a required role is still missing
// shortly before the window. Each occasion is sent once per release and
// cycle; the store records what it sent.

// ReminderSettings are the hours that time the reminders; 0 turns one off.
type ReminderSettings struct {
	// AfterOpen: remind the roles yet to sign once the review has been
	// open this many hours.
	AfterOpen int `json:"after_open"`
	// BeforeWindow: remind them again this many hours before the window
	// starts.
	BeforeWindow int `json:"before_window"`
	// Escalate: tell the release manager and the product's owners when a
	// required role is still missing this many hours before the window.
	Escalate int `json:"escalate"`
}

// DefaultReminders are the team's reminders until an admin changes them:
// a day after the review opened, a day before the window, and an
// escalation four hours before it, while there is still time to act.
var DefaultReminders = ReminderSettings{AfterOpen: 24, BeforeWindow: 24, Escalate: 4}

// MaxReminderHours bounds each setting: thirty days, longer than any
// review waits.
const MaxReminderHours = 30 * 24

// ReminderFields are the form fields of the settings, in order.
var ReminderFields = []string{"remind_after_open", "remind_before_window", "escalate_before_window"}

// ReminderOverride is a product's own reminder hours; a nil field takes
// the team's.
type ReminderOverride struct {
	AfterOpen, BeforeWindow, Escalate *int
}

// Empty reports whether the product takes every hour from the team.
func (o ReminderOverride) Empty() bool {
	return o.AfterOpen == nil && o.BeforeWindow == nil && o.Escalate == nil
}

// Over is the settings a product's releases are reminded by: its own
// hours where it has them, the team's elsewhere.
func (o ReminderOverride) Over(team ReminderSettings) ReminderSettings {
	pick := func(own *int, def int) int {
		if own != nil {
			return *own
		}
		return def
	}
	return ReminderSettings{AfterOpen: pick(o.AfterOpen, team.AfterOpen),
		BeforeWindow: pick(o.BeforeWindow, team.BeforeWindow), Escalate: pick(o.Escalate, team.Escalate)}
}

// ParseReminderHours reads the three hour fields of a form. With optional
// set (a product's form), an empty field takes the team's hours; the
// team's form needs each. Every problem is named beside its field.
func ParseReminderHours(form map[string]string, optional bool) (ReminderOverride, error) {
	var o ReminderOverride
	p := Problems{}
	labels := []string{"Remind after the review opened", "Remind before the window", "Escalate before the window"}
	dest := []**int{&o.AfterOpen, &o.BeforeWindow, &o.Escalate}
	for i, f := range ReminderFields {
		v := strings.TrimSpace(form[f])
		if v == "" && optional {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxReminderHours {
			p.Add(f, "%s: give a whole number of hours from 0 (off) to %d", labels[i], MaxReminderHours)
			continue
		}
		*dest[i] = &n
	}
	return o, p.Err()
}

// String says the settings in words, for the audit trail.
func (r ReminderSettings) String() string {
	h := func(n int, what string) string {
		if n == 0 {
			return what + " off"
		}
		return fmt.Sprintf("%s %s", what, Plural(n, "hour", "hours"))
	}
	return fmt.Sprintf("%s, %s, %s", h(r.AfterOpen, "remind after opening"), h(r.BeforeWindow, "remind before the window"),
		h(r.Escalate, "escalate before the window"))
}

// String says the override in words: the product's own hours, or that it
// takes the team's.
func (o ReminderOverride) String() string {
	if o.Empty() {
		return "the team's reminder hours"
	}
	var parts []string
	for i, v := range []*int{o.AfterOpen, o.BeforeWindow, o.Escalate} {
		what := []string{"remind after opening", "remind before the window", "escalate before the window"}[i]
		switch {
		case v == nil:
			parts = append(parts, what+" as the team")
		case *v == 0:
			parts = append(parts, what+" off")
		default:
			parts = append(parts, fmt.Sprintf("%s %s", what, Plural(*v, "hour", "hours")))
		}
	}
	return strings.Join(parts, ", ")
}

// Occasion is one of the moments a release's cycle reminds people.
type Occasion string

const (
	OccasionOpened   Occasion = "opened"   // the review has been open AfterOpen hours
	OccasionWindow   Occasion = "window"   // the window starts in BeforeWindow hours
	OccasionEscalate Occasion = "escalate" // a required role is missing Escalate hours before the window
)

// Notification kinds of the reminders.
const (
	NotifyReminder   NotificationKind = "reminder"   // a role you hold has yet to sign, and time passes
	NotifyEscalation NotificationKind = "escalation" // a required role is still missing shortly before the window
)

// Audit actions of the reminders, made by the board itself.
const (
	ActionRemind   Action = "remind.sent"
	ActionEscalate Action = "remind.escalated"
)

// DueReminder is a reminder the board owes now: its occasion, and the
// audit that tells the people (nil when it is only to be marked as sent,
// because another one due at the same moment says the same).
type DueReminder struct {
	Occasion Occasion
	Audit    *Audit
}

// DueReminders says which reminders the snapshot's release is owed at
// now, by set, given the occasions of its current cycle already sent.
// Only a release in review is reminded. The roles reminded are those
// still awaited (required, held by someone, not signed in this cycle); a
// waived role or one that signed never hears of it. When both reminders
// fall due at once (the board was down, or the review opened close to
// the window), one reminder is sent and both are marked. A window
// reminder whose moment came before the review opened is marked without
// sending: opening the review told the roles then. Escalation names the
// required roles still missing, held or not, and goes until the window
// ends.
func DueReminders(s Snapshot, set ReminderSettings, sent []Occasion, now time.Time) []DueReminder {
	rel := s.Release
	if rel.State != Review {
		return nil
	}
	var out []DueReminder
	waiting := Waiting(s)
	start, hasWindow := rel.Window.Start, !rel.Window.Start.IsZero()
	opened := set.AfterOpen > 0 && !rel.ReviewAt.IsZero() && !slices.Contains(sent, OccasionOpened) &&
		!now.Before(rel.ReviewAt.Add(hours(set.AfterOpen)))
	window := set.BeforeWindow > 0 && hasWindow && !slices.Contains(sent, OccasionWindow) &&
		!now.Before(start.Add(-hours(set.BeforeWindow))) && now.Before(start)
	if window && !rel.ReviewAt.IsZero() && !start.Add(-hours(set.BeforeWindow)).After(rel.ReviewAt) {
		out = append(out, DueReminder{Occasion: OccasionWindow})
		window = false
	}
	if len(waiting) > 0 {
		switch {
		case window:
			a := reminded(rel, waiting, fmt.Sprintf("its window starts in %s", until(start, now)))
			if opened {
				out = append(out, DueReminder{Occasion: OccasionOpened})
			}
			out = append(out, DueReminder{Occasion: OccasionWindow, Audit: &a})
		case opened:
			a := reminded(rel, waiting, fmt.Sprintf("its review has been open %s", until(now, rel.ReviewAt)))
			out = append(out, DueReminder{Occasion: OccasionOpened, Audit: &a})
		}
	}
	missing := slices.Concat(waiting, Unstaffed(s))
	if set.Escalate > 0 && hasWindow && len(missing) > 0 && !slices.Contains(sent, OccasionEscalate) &&
		!now.Before(start.Add(-hours(set.Escalate))) && now.Before(rel.Window.End) {
		a := escalated(rel, missing, start, now)
		out = append(out, DueReminder{Occasion: OccasionEscalate, Audit: &a})
	}
	return out
}

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

// until is the time from b to a in words, to the minute: "24h0m", "3h5m".
func until(a, b time.Time) string {
	d := a.Sub(b).Round(time.Minute)
	if d < 0 {
		d = 0
	}
	return strings.TrimSuffix(d.String(), "0s")
}

// roleList is roles in a sentence: "the QA lead and ops".
func roleList(roles []Role) string {
	words := make([]string, 0, len(roles))
	for _, r := range roles {
		words = append(words, r.InText())
	}
	return List(words)
}

// reminded is the audit of a reminder to the waiting roles, with why now.
func reminded(rel Release, waiting []Role, why string) Audit {
	text := fmt.Sprintf("Reminder: %s awaits the sign-off of %s; %s", rel.Name(), roleList(waiting), why)
	a := audit(ActionRemind, "reminded %s to sign off %s: %s", roleList(waiting), rel.Name(), why)
	a.Causes = []Cause{{Kind: NotifyReminder, Roles: NewRoleSet(waiting...), Text: text}}
	return a
}

// escalated is the audit of an escalation: the release manager and the
// holders of the product owner role for the product hear which required
// roles are still missing.
func escalated(rel Release, missing []Role, start, now time.Time) Audit {
	when := "its window has started"
	if now.Before(start) {
		when = "its window starts in " + until(start, now)
	}
	verb := "has"
	if len(missing) > 1 {
		verb = "have"
	}
	text := fmt.Sprintf("Escalation: %s %s not signed %s and %s", roleList(missing), verb, rel.Name(), when)
	a := audit(ActionEscalate, "escalated %s: %s %s not signed and %s", rel.Name(), roleList(missing), verb, when)
	c := Cause{Kind: NotifyEscalation, Roles: RoleSet{ProductOwner}, Text: text}
	if rel.ManagerID != 0 {
		c.People = []int64{rel.ManagerID}
	}
	a.Causes = []Cause{c}
	return a
}

// ChangeProductReminders is the audit of a product's reminder hours going
// from was to next, and whether they change at all.
func ChangeProductReminders(product string, was, next ReminderOverride) (Audit, bool) {
	same := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	if same(was.AfterOpen, next.AfterOpen) && same(was.BeforeWindow, next.BeforeWindow) && same(was.Escalate, next.Escalate) {
		return Audit{}, false
	}
	return audit(ActionProductUpdate, "set the reminders of product %s: %s", product, next), true
}
