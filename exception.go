package gonogo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A freeze exception is the one governed way past a freeze: someone who
// must sign off on a release asks that one freeze not hold it, says why and
// until when, and two other people approve, at least one of them an admin
// or the product's release manager. Until then the freeze blocks the gate
// as before; once in force it is a warning, on the record. It is never
// edited: it is revoked, and asked for again.

// Limits on a freeze exception's free text.
const (
	MaxExceptionReasonLen  = 1000
	MaxApprovalCommentLen  = 1000
	ExceptionApprovalsNeed = 2 // approvals an exception needs, none the requester's
)

// Approval is one person's deliberate yes to a freeze exception. Senior
// records whether they approved as an admin or as the product's release
// manager: one of the two approvals must be.
type Approval struct {
	UserID  int64
	Name    string
	Comment string
	Senior  bool
	At      time.Time
}

// FreezeException asks that the freeze FreezeID not hold release ReleaseID
// until Until. Product and Version name the release, for the freeze's page.
type FreezeException struct {
	ID            int64
	ReleaseID     int64
	Product       string
	Version       string
	FreezeID      int64
	FreezeName    string
	RequestedByID int64
	RequestedBy   string
	Reason        string
	Until         time.Time
	RequestedAt   time.Time
	Approvals     []Approval
	RevokedByID   int64
	RevokedBy     string
	RevokedAt     time.Time
	RevokeReason  string
}

// Clone copies e with its approvals.
func (e FreezeException) Clone() FreezeException {
	e.Approvals = slices.Clone(e.Approvals)
	return e
}

// Revoked reports whether the exception was revoked (or withdrawn).
func (e FreezeException) Revoked() bool { return !e.RevokedAt.IsZero() }

// InForce reports whether the exception has its approvals: two, one of
// them senior, and it is not revoked.
func (e FreezeException) InForce() bool {
	return !e.Revoked() && len(e.Approvals) >= ExceptionApprovalsNeed &&
		slices.ContainsFunc(e.Approvals, func(a Approval) bool { return a.Senior })
}

// Status is one word for where the exception stands.
func (e FreezeException) Status() string {
	switch {
	case e.Revoked():
		return "revoked"
	case e.InForce():
		return "approved"
	}
	return "requested"
}

// Approvers names who approved it: "Alice and Bob".
func (e FreezeException) Approvers() string {
	names := make([]string, len(e.Approvals))
	for i, a := range e.Approvals {
		names[i] = a.Name
	}
	return List(names)
}

// Waiting says what a pending exception waits on.
func (e FreezeException) Waiting() string {
	switch n := len(e.Approvals); {
	case n == 0:
		return "waiting on two approvals"
	case n == 1:
		return "waiting on one more approval"
	}
	return "waiting on an approval by an admin or the release manager"
}

// ApprovedBy reports whether the person userID approved it.
func (e FreezeException) ApprovedBy(userID int64) bool {
	return slices.ContainsFunc(e.Approvals, func(a Approval) bool { return a.UserID == userID })
}

// Covers reports whether the exception, in force, lifts hit from the
// window: the part of the window inside the freeze ends by Until.
func (e FreezeException) Covers(w Window, hit FreezeHit) bool {
	end := w.End
	if hit.When.End.Before(end) {
		end = hit.When.End
	}
	return e.InForce() && !e.Until.Before(end)
}

// liveException returns the release's exception for freeze id that is not
// revoked, if any: there is at most one.
func liveException(es []FreezeException, freezeID int64) (FreezeException, bool) {
	for _, e := range es {
		if e.FreezeID == freezeID && !e.Revoked() {
			return e, true
		}
	}
	return FreezeException{}, false
}

// FormatMoment writes a moment in the team's zone for messages.
func FormatMoment(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

// freezeVerdict is the gate's word on one freeze the window overlaps: a
// reason that blocks, or, where an exception in force lifts it, a warning.
func freezeVerdict(s Snapshot, hit FreezeHit) (*Reason, *Warning) {
	base := fmt.Sprintf("The window overlaps the freeze “%s” (%s): move the window", hit.Freeze.Name, FormatWindow(hit.When, s.Zone))
	e, ok := liveException(s.Exceptions, hit.Freeze.ID)
	switch {
	case !ok:
		return &Reason{ReasonFreeze, base, "window"}, nil
	case e.Covers(s.Release.Window, hit):
		return nil, &Warning{"freeze-exception", fmt.Sprintf("Freeze “%s” overridden by %s until %s: %s",
			hit.Freeze.Name, e.Approvers(), FormatMoment(e.Until, s.Zone), e.Reason)}
	case e.InForce():
		return &Reason{ReasonFreeze, fmt.Sprintf("%s; the exception approved by %s ends %s, before the window leaves the freeze",
			base, e.Approvers(), FormatMoment(e.Until, s.Zone)), "window"}, nil
	}
	return &Reason{ReasonFreeze, fmt.Sprintf("%s; exception requested by %s, %s", base, e.RequestedBy, e.Waiting()), "window"}, nil
}

// ExceptionInput is a request as typed.
type ExceptionInput struct {
	FreezeID int64
	Reason   string
	Until    time.Time
}

// requiredRolesHeld returns the release's required roles actor holds for
// its product.
func requiredRolesHeld(actor Actor, s Snapshot) []Role {
	held := actor.RolesOn(s.Release.Product)
	var out []Role
	for _, r := range s.Required() {
		if held.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// exceptionOpen refuses a release whose state has no window to lift a
// freeze from.
func exceptionOpen(rel Release) error {
	if !ActSchedule.OpenIn(rel.State) {
		return Errorf(ECONFLICT, "a release that is %s has no window for a freeze exception", rel.State.InText())
	}
	return nil
}

// MayRequestException reports whether actor may ask for an exception on
// the snapshot's release at all: the page offers the form only then.
func MayRequestException(actor Actor, s Snapshot) bool {
	return exceptionOpen(s.Release) == nil && len(requiredRolesHeld(actor, s)) > 0
}

// RequestException is actor asking, at now, that a freeze not hold the
// snapshot's release: the exception to store and its audit.
func RequestException(actor Actor, s Snapshot, in ExceptionInput, now time.Time) (FreezeException, Audit, error) {
	rel := s.Release
	if err := exceptionOpen(rel); err != nil {
		return FreezeException{}, Audit{}, err
	}
	if len(requiredRolesHeld(actor, s)) == 0 {
		return FreezeException{}, Audit{}, Errorf(EFORBIDDEN,
			"only someone who must sign off on %s may ask for a freeze exception: that takes one of its required roles for %s", rel.Name(), rel.Product)
	}
	var hit *FreezeHit
	for _, h := range FreezesOver(rel.Window, rel.Product, s.Freezes, s.Zone) {
		if h.Freeze.ID == in.FreezeID {
			hit = &h
			break
		}
	}
	if hit == nil {
		return FreezeException{}, Audit{}, FieldErrorf("freeze", "the window of %s does not overlap that freeze: there is nothing to lift", rel.Name())
	}
	if _, ok := liveException(s.Exceptions, in.FreezeID); ok {
		return FreezeException{}, Audit{}, Errorf(ECONFLICT, "an exception to the freeze “%s” is already asked for on %s: approve it, or revoke it and ask again", hit.Freeze.Name, rel.Name())
	}
	in.Reason = strings.TrimSpace(in.Reason)
	p := Problems{}
	validateText(p, "reason", "Reason", in.Reason, MaxExceptionReasonLen, true)
	switch {
	case in.Until.IsZero():
		p.Add("until", "say until when the exception holds")
	case !in.Until.After(now):
		p.Add("until", "the exception must end after now")
	case in.Until.After(hit.When.End):
		p.Add("until", "the exception may last at most to the end of the freeze, %s", FormatMoment(hit.When.End, s.Zone))
	}
	if err := p.Err(); err != nil {
		return FreezeException{}, Audit{}, err
	}
	e := FreezeException{ReleaseID: rel.ID, Product: rel.Product, Version: rel.Version, FreezeID: hit.Freeze.ID, FreezeName: hit.Freeze.Name,
		RequestedByID: actor.UserID, RequestedBy: actor.Name, Reason: in.Reason, Until: in.Until, RequestedAt: now}
	a := audit(ActionExceptionRequest, "asked for an exception to the freeze %q until %s: %s", hit.Freeze.Name, FormatMoment(in.Until, s.Zone), in.Reason)
	a.Topics = []Topic{TopicFreezeException}
	return e, a, nil
}

// MayApproveException reports whether actor may approve e now: the page
// offers Approve only then.
func MayApproveException(actor Actor, rel Release, e FreezeException) bool {
	_, _, err := ApproveException(actor, rel, e, "ok", nil, time.Time{})
	return err == nil
}

// ApproveException is actor approving e on rel at now with comment: the
// approval to store and its audit, which says whether it is now in force.
func ApproveException(actor Actor, rel Release, e FreezeException, comment string, zone *time.Location, now time.Time) (Approval, Audit, error) {
	if err := exceptionOpen(rel); err != nil {
		return Approval{}, Audit{}, err
	}
	roles := actor.RolesOn(rel.Product)
	switch {
	case e.Revoked():
		return Approval{}, Audit{}, Errorf(ECONFLICT, "the exception to the freeze “%s” was revoked by %s", e.FreezeName, e.RevokedBy)
	case e.InForce():
		return Approval{}, Audit{}, Errorf(ECONFLICT, "the exception to the freeze “%s” is already in force, approved by %s", e.FreezeName, e.Approvers())
	case actor.UserID != 0 && actor.UserID == e.RequestedByID:
		return Approval{}, Audit{}, Errorf(EFORBIDDEN, "you asked for this exception: two other people approve it")
	case e.ApprovedBy(actor.UserID):
		return Approval{}, Audit{}, Errorf(ECONFLICT, "you already approved this exception: it needs another person")
	case len(roles) == 0 && !actor.Admin:
		return Approval{}, Audit{}, Errorf(EFORBIDDEN, "approving a freeze exception on %s takes a role for %s, or an admin", rel.Name(), rel.Product)
	}
	comment = strings.TrimSpace(comment)
	p := Problems{}
	validateText(p, "comment", "Comment", comment, MaxApprovalCommentLen, true)
	if err := p.Err(); err != nil {
		return Approval{}, Audit{}, err
	}
	ap := Approval{UserID: actor.UserID, Name: actor.Name, Comment: comment, Senior: actor.Admin || roles.Has(ReleaseManager), At: now}
	e.Approvals = append(e.Approvals, ap)
	detail := fmt.Sprintf("approved the exception to the freeze %q asked for by %s: %s", e.FreezeName, e.RequestedBy, comment)
	if e.InForce() {
		detail += fmt.Sprintf("; the freeze is overridden until %s", FormatMoment(e.Until, zone))
	} else {
		detail += "; " + e.Waiting()
	}
	a := audit(ActionExceptionApprove, "%s", detail)
	a.Topics = []Topic{TopicFreezeException}
	return ap, a, nil
}

// MayRevokeException reports whether actor may revoke e at now: the page
// offers Revoke only then.
func MayRevokeException(actor Actor, rel Release, e FreezeException, now time.Time) bool {
	_, err := RevokeException(actor, rel, e, "ok", now)
	return err == nil
}

// RevokeException is actor taking e back at now, saying why: its audit.
// An approver or an admin revokes it, and the requester may withdraw it;
// only before the window starts, since after that the deploy may be under
// way on its strength.
func RevokeException(actor Actor, rel Release, e FreezeException, reason string, now time.Time) (Audit, error) {
	switch {
	case e.Revoked():
		return Audit{}, Errorf(ECONFLICT, "the exception to the freeze “%s” was already revoked by %s", e.FreezeName, e.RevokedBy)
	case !actor.Admin && !e.ApprovedBy(actor.UserID) && (actor.UserID == 0 || actor.UserID != e.RequestedByID):
		return Audit{}, Errorf(EFORBIDDEN, "only those who approved the exception, the person who asked for it, or an admin may revoke it")
	case !rel.Window.IsZero() && !now.Before(rel.Window.Start):
		return Audit{}, Errorf(ECONFLICT, "the window has started: an exception can be revoked only before it starts")
	}
	reason = strings.TrimSpace(reason)
	p := Problems{}
	validateText(p, "reason", "Reason", reason, MaxReasonLen, true)
	if err := p.Err(); err != nil {
		return Audit{}, err
	}
	a := audit(ActionExceptionRevoke, "revoked the exception to the freeze %q asked for by %s: %s", e.FreezeName, e.RequestedBy, reason)
	a.Topics = []Topic{TopicFreezeException}
	return a, nil
}
