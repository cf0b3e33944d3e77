package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// The pilot is the demonstration after the deployment: while a release is
// verifying, its release manager invites a group of people, of the board
// and from outside it by email address, to try what shipped and say in a
// few seconds whether it works. Each invitee gets a personal link that
// opens only that release's feedback page; it expires and can be revoked.
// Only a hash of the link's secret is kept.

// PilotCheckKey is the check key of the verification item "Pilot users
// confirm the feature works". A person closes it, looking at the tally;
// no pipeline may report it (see ReportCheck).
const PilotCheckKey = "pilot-confirmed"

// Pilot bounds.
const (
	// MaxPilotInvites bounds the invitations of one release, revoked ones
	// included: a pilot is a group, not a mailing list.
	MaxPilotInvites = 200
	// MaxPilotBatch bounds the addresses of one invitation form.
	MaxPilotBatch = 50
	// MaxPilotComment bounds a tester's comment.
	MaxPilotComment = 2000
	// DefaultPilotDays is how long a link works unless the release manager
	// says otherwise; MaxPilotDays the most they may say.
	DefaultPilotDays = 7
	MaxPilotDays     = 30
)

// PilotOpen says whether a release in state st may run a pilot: invite
// testers, and take their answers. It is the one place that says when a
// pilot runs: while the release is deploying (testers may be invited as
// the rollout starts) and verifying. Rollout stages will extend it.
func PilotOpen(st State) error {
	if st == Deploying || st == Verifying {
		return nil
	}
	return Errorf(ECONFLICT, "a pilot runs while the release is deploying or verifying; this one is %s", st.InText())
}

// PilotAnswer is what a tester says: it works, or there is a problem.
type PilotAnswer string

const (
	PilotWaiting PilotAnswer = "" // not answered yet
	PilotWorks   PilotAnswer = "works"
	PilotProblem PilotAnswer = "problem"
)

// Label is the answer as people read it.
func (a PilotAnswer) Label() string {
	switch a {
	case PilotWorks:
		return "works"
	case PilotProblem:
		return "problem"
	}
	return "waiting"
}

// PilotInvite is one person invited to a release's pilot, with their
// answer. One answer per invitee is kept, the latest: they may change it
// while their link works, and the audit trail keeps every one they gave.
type PilotInvite struct {
	ID        int64
	ReleaseID int64
	Email     string
	UserID    int64  // a person of the board; 0 for an outside tester
	Name      string // that person's name; "" for an outside tester
	InvitedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero while the link works
	RevokedBy string

	Answer     PilotAnswer
	Comment    string
	Link       string // a screenshot or recording, http(s)
	AnsweredAt time.Time
	DefectID   int64 // the defect made of this problem; 0 for none
}

// Who is how the invitee is named: their name on the board, else their
// address.
func (p PilotInvite) Who() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}

// Tester is the actor an invitee answers as in the audit trail.
func (p PilotInvite) Tester(remoteAddr string) Actor {
	if p.UserID != 0 {
		return Actor{UserID: p.UserID, Name: p.Who() + " (pilot tester)", RemoteAddr: remoteAddr}
	}
	return Actor{Name: "pilot tester " + p.Email, RemoteAddr: remoteAddr}
}

// Revoked reports whether the link was revoked.
func (p PilotInvite) Revoked() bool { return !p.RevokedAt.IsZero() }

// Expired reports whether the link ran out at now.
func (p PilotInvite) Expired(now time.Time) bool { return !now.Before(p.ExpiresAt) }

// Active reports whether the link works at now.
func (p PilotInvite) Active(now time.Time) bool { return !p.Revoked() && !p.Expired(now) }

// Status is the invitee's state as the panel shows it: revoked, expired
// (without an answer), or their answer.
func (p PilotInvite) Status(now time.Time) string {
	switch {
	case p.Revoked():
		return "revoked"
	case p.Answer != PilotWaiting:
		return p.Answer.Label()
	case p.Expired(now):
		return "expired"
	}
	return "waiting"
}

// PilotTally counts the answers of the invitations that were not revoked.
type PilotTally struct {
	Works, Problems, Waiting, Expired int
}

// TallyPilot counts invites at now.
func TallyPilot(invites []PilotInvite, now time.Time) PilotTally {
	var t PilotTally
	for _, p := range invites {
		switch p.Status(now) {
		case "works":
			t.Works++
		case "problem":
			t.Problems++
		case "waiting":
			t.Waiting++
		case "expired":
			t.Expired++
		}
	}
	return t
}

// Invited is how many were invited and not revoked.
func (t PilotTally) Invited() int { return t.Works + t.Problems + t.Waiting + t.Expired }

// String is the tally as the panel and the item say it: "7 works, 1
// problem, 2 waiting".
func (t PilotTally) String() string {
	if t.Invited() == 0 {
		return "nobody invited yet"
	}
	parts := []string{fmt.Sprintf("%d works", t.Works), Plural(t.Problems, "problem", "problems"), fmt.Sprintf("%d waiting", t.Waiting)}
	if t.Expired > 0 {
		parts = append(parts, fmt.Sprintf("%d expired", t.Expired))
	}
	return strings.Join(parts, ", ")
}

// PilotInviteInput is what the release manager gives to invite testers:
// addresses, separated by commas, spaces or lines, and how many days the
// links work (0 for the default).
type PilotInviteInput struct {
	Emails string
	Days   int
}

// Addresses are the input's addresses, lower case, each once, in the
// order given; or every problem with them, on the field "emails".
func (in PilotInviteInput) Addresses() ([]string, error) {
	p := Problems{}
	validateText(p, "emails", "The addresses", in.Emails, MaxPilotBatch*(MaxEmailLen+2), true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	var bad []string
	for _, f := range strings.FieldsFunc(in.Emails, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		e := strings.ToLower(strings.TrimSpace(f))
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		q := Problems{}
		validateEmail(q, "email", e)
		if len(q) > 0 {
			bad = append(bad, fmt.Sprintf("%q", Excerpt(e)))
			continue
		}
		out = append(out, e)
	}
	switch {
	case len(bad) > 0:
		p.Add("emails", "not an email address: %s", strings.Join(bad, ", "))
	case len(out) == 0:
		p.Add("emails", "give at least one email address")
	case len(out) > MaxPilotBatch:
		p.Add("emails", "invite at most %d people at once; you gave %d", MaxPilotBatch, len(out))
	}
	if in.Days < 0 || in.Days > MaxPilotDays {
		p.Add("days", "links work for 1 to %d days", MaxPilotDays)
	}
	return out, p.Err()
}

// Ends is when links made at now expire.
func (in PilotInviteInput) Ends(now time.Time) time.Time {
	d := in.Days
	if d == 0 {
		d = DefaultPilotDays
	}
	return now.Add(time.Duration(d) * 24 * time.Hour)
}

// Actions of the pilot. The area is "pilot": the release page's pilot
// panel follows them live.
const (
	ActionPilotInvite Action = "pilot.invite"
	ActionPilotRevoke Action = "pilot.revoke"
	ActionPilotAnswer Action = "pilot.answer"
	ActionPilotDefect Action = "pilot.defect"
)

// InvitePilot is the change that invites emails to rel's pilot at now,
// given the invitations it has: the new invitations (without ids, users
// or tokens, which the store adds) and the audit. It refuses whoever may
// not invite, a release that runs no pilot, addresses already invited
// with a link that works, and more than MaxPilotInvites in all.
func InvitePilot(actor Actor, rel Release, have []PilotInvite, in PilotInviteInput, now time.Time) ([]PilotInvite, Audit, error) {
	if !pilotAbilities(actor, rel).Granted(ActInvitePilot) {
		return nil, Audit{}, Errorf(EFORBIDDEN, "only the release manager of %s invites pilot testers", rel.Product)
	}
	if err := PilotOpen(rel.State); err != nil {
		return nil, Audit{}, err
	}
	emails, err := in.Addresses()
	if err != nil {
		return nil, Audit{}, err
	}
	var again []string
	for _, e := range emails {
		for _, h := range have {
			if h.Email == e && h.Active(now) {
				again = append(again, e)
				break
			}
		}
	}
	if len(again) > 0 {
		return nil, Audit{}, FieldErrorf("emails", "already invited, with a link that still works: %s", strings.Join(again, ", "))
	}
	if n := len(have) + len(emails); n > MaxPilotInvites {
		return nil, Audit{}, FieldErrorf("emails", "a release's pilot takes at most %d invitations (revoked ones count); this would make %d", MaxPilotInvites, n)
	}
	ends := in.Ends(now)
	out := make([]PilotInvite, 0, len(emails))
	for _, e := range emails {
		out = append(out, PilotInvite{ReleaseID: rel.ID, Email: e, InvitedBy: actor.Name, CreatedAt: now, ExpiresAt: ends})
	}
	who := strings.Join(emails, ", ")
	if len(emails) > 5 {
		who = strings.Join(emails[:5], ", ") + fmt.Sprintf(" and %d more", len(emails)-5)
	}
	return out, audit(ActionPilotInvite, "invited %s to the pilot of %s, links working until %s",
		who, rel.Name(), ends.UTC().Format("2006-01-02 15:04 MST")), nil
}

// PilotInviteText is what the invitation mail says.
func PilotInviteText(rel Release, inviter string, ends time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	return fmt.Sprintf("%s invites you to try %s and say whether it works: it takes a few seconds. Your personal link below opens its feedback page; it works until %s.",
		inviter, rel.Name(), ends.In(zone).Format("Mon 2 Jan 2006 15:04 MST"))
}

// PilotInviteSubject is the subject of the invitation mail.
func PilotInviteSubject(rel Release) string {
	return Excerpt("[" + rel.Name() + "] You are invited to the pilot")
}

// RevokePilot is the change that stops p's link: its audit, or why not.
func RevokePilot(actor Actor, rel Release, p PilotInvite) (Audit, error) {
	if !pilotAbilities(actor, rel).Granted(ActInvitePilot) {
		return Audit{}, Errorf(EFORBIDDEN, "only the release manager revokes pilot links")
	}
	if p.Revoked() {
		return Audit{}, Errorf(ECONFLICT, "the link of %s is revoked already", p.Who())
	}
	return audit(ActionPilotRevoke, "revoked the pilot link of %s", p.Who()), nil
}

// PilotFeedback is what a tester answers.
type PilotFeedback struct {
	Answer  PilotAnswer
	Comment string
	Link    string
}

// Normalize trims the feedback.
func (f *PilotFeedback) Normalize() {
	f.Answer = PilotAnswer(strings.ToLower(strings.TrimSpace(string(f.Answer))))
	f.Comment = strings.TrimSpace(f.Comment)
	f.Link = strings.TrimSpace(f.Link)
}

// Validate reports every problem with the feedback at once. A problem
// needs a word on what went wrong: it may become a defect.
func (f PilotFeedback) Validate() error {
	p := Problems{}
	if f.Answer != PilotWorks && f.Answer != PilotProblem {
		p.Add("answer", "choose “It works” or “Problem”")
	}
	validateText(p, "comment", "Comment", f.Comment, MaxPilotComment, f.Answer == PilotProblem)
	if f.Answer == PilotProblem && strings.TrimSpace(f.Comment) == "" {
		p["comment"] = "say in a few words what went wrong"
	}
	if f.Link != "" && (len(f.Link) > MaxURLLen || !isHTTPURL(f.Link)) {
		p.Add("link", "the link must start with http:// or https:// and be at most %d characters", MaxURLLen)
	}
	return p.Err()
}

// AnswerPilot is a tester's answer through p at now: p as it is to be
// stored, and the audit, written as the tester. A link that was revoked
// or ran out takes no answer, and neither does a release whose pilot is
// over.
func AnswerPilot(rel Release, p PilotInvite, f PilotFeedback, now time.Time) (PilotInvite, Audit, error) {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return p, Audit{}, err
	}
	if err := p.Usable(rel, now); err != nil {
		return p, Audit{}, err
	}
	changed := p.Answer != PilotWaiting
	p.Answer, p.Comment, p.Link, p.AnsweredAt = f.Answer, f.Comment, f.Link, now
	verb := "answered"
	if changed {
		verb = "changed their answer to"
	}
	detail := fmt.Sprintf("%s “%s” in the pilot", verb, p.Answer.Label())
	if p.Comment != "" {
		detail += ": " + Excerpt(p.Comment)
	}
	return p, audit(ActionPilotAnswer, "%s", detail), nil
}

// Usable says whether p's link opens the feedback page at now: not
// revoked, not run out, and the release's pilot still on. The refusals
// are ECONFLICT, which the page shows as gone (410).
func (p PilotInvite) Usable(rel Release, now time.Time) error {
	switch {
	case p.Revoked():
		return Errorf(ECONFLICT, "this pilot link was revoked by the release manager")
	case p.Expired(now):
		return Errorf(ECONFLICT, "this pilot link ran out on %s", p.ExpiresAt.UTC().Format("2 Jan 2006"))
	}
	if err := PilotOpen(rel.State); err != nil {
		return Errorf(ECONFLICT, "the pilot of %s is over: thank you", rel.Name())
	}
	return nil
}

// PilotDefect is the defect a problem reported in the pilot becomes, in
// one step, with the audit that links the two; or why not.
func PilotDefect(actor Actor, rel Release, p PilotInvite) (DefectInput, Audit, error) {
	if !pilotAbilities(actor, rel).Granted(ActPilotDefect) {
		return DefectInput{}, Audit{}, Errorf(EFORBIDDEN, "only the QA lead or the release manager makes a defect of pilot feedback")
	}
	if err := DefectsEditable(rel.State); err != nil {
		return DefectInput{}, Audit{}, err
	}
	if p.Answer != PilotProblem {
		return DefectInput{}, Audit{}, Errorf(ECONFLICT, "%s reported no problem: there is nothing to make a defect of", p.Who())
	}
	if p.DefectID != 0 {
		return DefectInput{}, Audit{}, Errorf(ECONFLICT, "the problem %s reported is defect #%d already", p.Who(), p.DefectID)
	}
	title := "Pilot: " + firstLine(p.Comment)
	if r := []rune(title); len(r) > MaxDefectTitleLen {
		title = string(r[:MaxDefectTitleLen-1]) + "…"
	}
	notes := fmt.Sprintf("Reported in the pilot by %s on %s (pilot feedback #%d, /releases/%d#pilot-%d):\n\n%s",
		p.Who(), p.AnsweredAt.UTC().Format("2 Jan 2006 15:04 MST"), p.ID, rel.ID, p.ID, p.Comment)
	if p.Link != "" {
		notes += "\n\nTheir link: " + p.Link
	}
	if r := []rune(notes); len(r) > MaxNotesLen {
		notes = string(r[:MaxNotesLen-1]) + "…"
	}
	in := DefectInput{Title: title, Severity: Major, Status: DefectOpen, Notes: notes}
	return in, audit(ActionPilotDefect, "made a defect of the problem %s reported in the pilot", p.Who()), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// pilotAbilities are actor's abilities on rel, which is all the pilot's
// rules need of its snapshot.
func pilotAbilities(actor Actor, rel Release) Abilities {
	return AbilitiesOf(actor, Snapshot{Release: rel})
}
