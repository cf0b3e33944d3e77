package gonogo

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Meeting limits. A Go/No-Go meeting is a conversation, not a workshop:
// a quarter of an hour at least, four hours at most; it is planned at
// most a year ahead (further is a typo of the year). Where it is, a room
// or a video link, fits a line (links of the common video services are
// well under 300 characters).
const (
	MinMeetingMinutes  = 15
	MaxMeetingMinutes  = 240
	MaxMeetingAhead    = 366 * 24 * time.Hour
	MaxMeetingWhereLen = 500
	// DefaultMeetingMinutes is the length the form offers.
	DefaultMeetingMinutes = 30
)

// Meeting is a release's Go/No-Go meeting: when, how long, where (a room
// or an https video link), and how often it changed. Its invitation keeps
// one UID for the release (MeetingUID) and a SEQUENCE that grows with
// every change, so a calendar updates the event it already holds.
type Meeting struct {
	ReleaseID int64 // 0 for a release that never had one
	Start     time.Time
	Length    time.Duration
	Where     string
	Seq       int
	Cancelled bool
	By        string // who last scheduled, moved or cancelled it
	ByEmail   string // their address, the invitation's organizer
	Changed   time.Time
}

// Scheduled reports whether m is a meeting to go to: set and not cancelled.
func (m Meeting) Scheduled() bool { return m.ReleaseID != 0 && !m.Cancelled && !m.Start.IsZero() }

// End is when the meeting ends.
func (m Meeting) End() time.Time { return m.Start.Add(m.Length) }

// Minutes is the meeting's length in minutes.
func (m Meeting) Minutes() int { return int(m.Length / time.Minute) }

// IsLink reports whether the meeting is held over a video link.
func (m Meeting) IsLink() bool { return looksLikeLink(m.Where) }

// UID is the invitation's UID: one per release, whatever its changes.
func (m Meeting) UID() string { return MeetingUID(m.ReleaseID) }

// MeetingUID is the iCalendar UID of a release's Go/No-Go meeting.
func MeetingUID(releaseID int64) string { return fmt.Sprintf("release-%d-meeting@gonogo", releaseID) }

// Describe says when and where the meeting is, in the team's zone.
func (m Meeting) Describe(loc *time.Location) string {
	return FormatWindow(Window{m.Start, m.End()}, loc) + ", " + m.Where
}

// MeetingInput is what the release manager types on the meeting form.
type MeetingInput struct {
	Start   time.Time
	Minutes int
	Where   string
}

// Normalize trims what was typed.
func (in *MeetingInput) Normalize() { in.Where = strings.TrimSpace(in.Where) }

// Validate checks a meeting at now, naming every mistake by its field:
// start, length, where.
func (in MeetingInput) Validate(now time.Time) error {
	p := Problems{}
	switch {
	case in.Start.IsZero():
		p.Add("start", "enter the meeting's date and time, e.g. 2026-12-01T15:00")
	case in.Start.Before(now.Add(-time.Minute)):
		p.Add("start", "the meeting starts in the past; pick a time from now on")
	case in.Start.After(now.Add(MaxMeetingAhead)):
		p.Add("start", "the meeting is more than a year ahead; check the year")
	}
	if in.Minutes < MinMeetingMinutes || in.Minutes > MaxMeetingMinutes {
		p.Add("length", "a meeting lasts from %d to %d minutes", MinMeetingMinutes, MaxMeetingMinutes)
	}
	whereProblems(p, in.Where)
	return p.Err()
}

// whereProblems adds to p what is wrong with where a meeting is.
func whereProblems(p Problems, where string) {
	switch {
	case where == "":
		p.Add("where", "say where the meeting is: a room, or a video link starting https://")
		return
	case len(where) > MaxMeetingWhereLen:
		p.Add("where", "where the meeting is fits in %d characters", MaxMeetingWhereLen)
		return
	case strings.ContainsFunc(where, unicode.IsControl):
		p.Add("where", "where the meeting is fits on one line")
		return
	case !looksLikeLink(where):
		return
	}
	u, err := url.Parse(where)
	switch {
	case err != nil || u.Host == "":
		p.Add("where", "the video link is not a web address; paste it whole, e.g. https://meet.example.com/abc")
	case u.Scheme != "https":
		p.Add("where", "a video link must start with https://, so that the call is encrypted")
	case u.User != nil:
		p.Add("where", "a video link must not carry a user name or password")
	case strings.ContainsAny(where, " \t"):
		p.Add("where", "a video link has no spaces")
	}
}

// looksLikeLink reports whether where is meant as a web address rather
// than a room's name: it names a scheme, or starts like a host name.
func looksLikeLink(where string) bool {
	w := strings.ToLower(where)
	return strings.Contains(w, "://") || strings.HasPrefix(w, "www.") || strings.HasPrefix(w, "http:") || strings.HasPrefix(w, "https:")
}

// MeetingOpen reports whether a release in st may have its meeting
// scheduled, moved or cancelled: until the decision, in draft or review.
// After a No-Go, a new cycle's review may have one again.
func MeetingOpen(st State) bool { return st == Draft || st == Review }

// MayMeet reports whether actor may schedule the meeting of the
// snapshot's release as it stands: who records the decision calls the
// meeting that takes it.
func MayMeet(actor Actor, s Snapshot) bool {
	return AbilitiesOf(actor, s).Granted(ActDecide) && MeetingOpen(s.Release.State)
}

// Meeting actions, as the audit trail records them.
const (
	ActionMeetingSchedule Action = "meeting.schedule"
	ActionMeetingCancel   Action = "meeting.cancel"
)

// MeetingResult is the whole change of a meeting: what to store, its
// audit (nil when nothing changes), and the method its invitation goes
// out with (MethodRequest or MethodCancel).
type MeetingResult struct {
	Meeting Meeting
	Audit   *Audit
	Method  string
}

// iTIP methods of an invitation (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// checkMeeting refuses actor on the snapshot's release: not theirs to
// call, or decided already.
func checkMeeting(actor Actor, s Snapshot) error {
	if !AbilitiesOf(actor, s).Granted(ActDecide) {
		return Errorf(EFORBIDDEN, "only the release manager schedules the Go/No-Go meeting")
	}
	if !MeetingOpen(s.Release.State) {
		return Errorf(ECONFLICT, "the Go/No-Go meeting is scheduled until the decision; %s is %s", s.Release.Name(), s.Release.State.InText())
	}
	return nil
}

// ScheduleMeeting is actor scheduling or moving the meeting of the
// snapshot's release (was: the one it has, if any) at now, told in zone.
// Every change bumps the invitation's sequence; scheduling it as it is
// changes nothing.
func ScheduleMeeting(actor Actor, s Snapshot, was Meeting, in MeetingInput, zone *time.Location, now time.Time) (MeetingResult, error) {
	if err := checkMeeting(actor, s); err != nil {
		return MeetingResult{}, err
	}
	in.Normalize()
	if err := in.Validate(now); err != nil {
		return MeetingResult{}, err
	}
	m := Meeting{ReleaseID: s.Release.ID, Start: in.Start.UTC(), Length: time.Duration(in.Minutes) * time.Minute,
		Where: in.Where, By: actor.Name, Changed: now}
	if was.Scheduled() && was.Start.Equal(m.Start) && was.Length == m.Length && was.Where == m.Where {
		return MeetingResult{Meeting: was}, nil
	}
	if was.ReleaseID != 0 {
		m.Seq = was.Seq + 1
	}
	var detail string
	switch {
	case was.Scheduled():
		detail = fmt.Sprintf("moved the Go/No-Go meeting to %s (was %s)", m.Describe(zone), was.Describe(zone))
	default:
		detail = "scheduled the Go/No-Go meeting for " + m.Describe(zone)
	}
	a := audit(ActionMeetingSchedule, "%s", detail)
	a.Causes = []Cause{meetingCalled(actor, s, m, was.Scheduled(), zone)}
	return MeetingResult{Meeting: m, Audit: &a, Method: MethodRequest}, nil
}

// CancelMeeting is actor cancelling the snapshot's release's meeting.
func CancelMeeting(actor Actor, s Snapshot, was Meeting, zone *time.Location, now time.Time) (MeetingResult, error) {
	if err := checkMeeting(actor, s); err != nil {
		return MeetingResult{}, err
	}
	if !was.Scheduled() {
		return MeetingResult{}, Errorf(ECONFLICT, "%s has no meeting to cancel", s.Release.Name())
	}
	return cancelled(actor, s, was, "cancelled the Go/No-Go meeting of "+was.Describe(zone), now), nil
}

// MeetingOnCancel is the meeting's end when its release is cancelled: the
// meeting is called off with it, whoever cancelled the release; nothing
// when there is no meeting to go to.
func MeetingOnCancel(actor Actor, s Snapshot, was Meeting, zone *time.Location, now time.Time) (MeetingResult, bool) {
	if !was.Scheduled() {
		return MeetingResult{}, false
	}
	return cancelled(actor, s, was, "called off the Go/No-Go meeting of "+was.Describe(zone)+" with the release", now), true
}

func cancelled(actor Actor, s Snapshot, was Meeting, detail string, now time.Time) MeetingResult {
	m := was
	m.Cancelled, m.Seq, m.By, m.Changed = true, was.Seq+1, actor.Name, now
	a := audit(ActionMeetingCancel, "%s", detail)
	a.Causes = []Cause{{Kind: NotifyMeeting, Roles: NewRoleSet(s.Required()...),
		Text: fmt.Sprintf("%s cancelled the Go/No-Go meeting of %s", actor.Name, s.Release.Name())}}
	return MeetingResult{Meeting: m, Audit: &a, Method: MethodCancel}
}

// meetingCalled tells the holders of every required role of the release
// (in their own right or as deputies in force) of the meeting.
func meetingCalled(actor Actor, s Snapshot, m Meeting, moved bool, zone *time.Location) Cause {
	verb := "invites you to"
	if moved {
		verb = "moved"
	}
	return Cause{Kind: NotifyMeeting, Roles: NewRoleSet(s.Required()...),
		Text: fmt.Sprintf("%s %s the Go/No-Go meeting of %s: %s", actor.Name, verb, s.Release.Name(), m.Describe(zone))}
}

// Invitation is what an iCalendar invitation to a meeting says (RFC 5545,
// sent as an iTIP message, RFC 5546): the method, the event's identity and
// version, its times (UTC), what it is, where, the page it links to, who
// calls it and who is asked.
type Invitation struct {
	Method      string // MethodRequest, MethodCancel, or "PUBLISH" for a copy added by hand
	UID         string
	Seq         int
	Stamp       time.Time // when this version of the meeting was made
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string // the absolute address of meeting mode
	Organizer   Attendee
	Attendees   []Attendee
	Cancelled   bool // STATUS:CANCELLED: a CANCEL, or a copy of a cancelled meeting
}

// Attendee is a person on an invitation.
type Attendee struct {
	Name  string
	Email string
}

// MethodPublish is the method of a copy of the meeting a person adds to
// their own calendar by hand: it asks for no reply.
const MethodPublish = "PUBLISH"

// InviteTo is the invitation to m, the meeting of rel, sent by method:
// meeting mode at baseURL is its link, the one who last changed it its
// organizer (the release manager when nobody has).
func InviteTo(rel Release, m Meeting, method, baseURL string, organizer Attendee, attendees []Attendee) Invitation {
	link := fmt.Sprintf("%s/releases/%d/meeting", strings.TrimSuffix(baseURL, "/"), rel.ID)
	desc := fmt.Sprintf("Go/No-Go meeting of %s (%s): the release manager records Go or No-Go with the roles that sign off.\nMeeting mode: %s", rel.Name(), rel.Title, link)
	if m.IsLink() {
		desc += "\nJoin: " + m.Where
	}
	return Invitation{Method: method, UID: m.UID(), Seq: m.Seq, Stamp: m.Changed, Start: m.Start, End: m.End(),
		Summary: "Go/No-Go: " + rel.Name(), Location: m.Where, Description: desc, URL: link,
		Organizer: organizer, Attendees: attendees, Cancelled: m.Cancelled || method == MethodCancel}
}

// InvitationSubject is the subject of the mail that carries the
// invitation of m, sent by method: the release in brackets, as other
// mail of the release, then the meeting's time in the team's zone, so an
// inbox tells a moved meeting from the first at a glance.
func InvitationSubject(rel Release, m Meeting, method string, zone *time.Location) string {
	what := "Go/No-Go meeting, " + FormatWindow(Window{m.Start, m.End()}, zone)
	switch {
	case method == MethodCancel:
		what = "Cancelled: " + what
	case m.Seq > 0:
		what = "Updated: " + what
	}
	return "[" + rel.Name() + "] " + what
}
