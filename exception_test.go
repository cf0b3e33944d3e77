package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// exceptionCase is a release in review with its window inside the
// Black Friday freeze, otherwise ready: everything else signed and done.
func exceptionCase() (gonogo.Snapshot, gonogo.Freeze) {
	rel := reviewRelease
	rel.Product = "storefront"
	rel.Window = win(local(2026, 11, 28, 10, 0), local(2026, 11, 28, 11, 0))
	sale := gonogo.Freeze{ID: 7, Name: "Black Friday", Once: win(local(2026, 11, 27, 0, 0), local(2026, 11, 30, 6, 0))}
	return gonogo.Snapshot{Release: rel, Votes: allSigned(), Notes: gonogo.NotesPublished, Freezes: []gonogo.Freeze{sale}, Zone: berlin}, sale
}

var (
	excNow    = local(2026, 11, 20, 9, 0)
	requester = gonogo.Actor{UserID: 10, Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	engineer  = gonogo.Actor{UserID: 11, Name: "Erin", Roles: gonogo.RoleSet{gonogo.EngineeringLead}}
	opsLead   = gonogo.Actor{UserID: 12, Name: "Otto", Roles: gonogo.RoleSet{gonogo.Ops}}
	manager   = gonogo.Actor{UserID: 13, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	anAdmin   = gonogo.Actor{UserID: 14, Name: "Ada", Admin: true, Grants: gonogo.Grants{}}
	outsider  = gonogo.Actor{UserID: 15, Name: "Nobody", Grants: gonogo.Grants{}}
)

func mustRequest(t *testing.T, snap gonogo.Snapshot, f gonogo.Freeze) gonogo.FreezeException {
	t.Helper()
	e, a, err := gonogo.RequestException(requester, snap, gonogo.ExceptionInput{FreezeID: f.ID, Reason: "security fix", Until: local(2026, 11, 28, 12, 0)}, excNow)
	if err != nil {
		t.Fatal(err)
	}
	if a.Action != gonogo.ActionExceptionRequest || len(a.Topics) != 1 || a.Topics[0] != gonogo.TopicFreezeException {
		t.Fatalf("audit %+v", a)
	}
	return e
}

func approve(t *testing.T, rel gonogo.Release, e gonogo.FreezeException, who gonogo.Actor) gonogo.FreezeException {
	t.Helper()
	ap, _, err := gonogo.ApproveException(who, rel, e, "looked at it", berlin, excNow)
	if err != nil {
		t.Fatalf("%s approving: %v", who.Name, err)
	}
	e.Approvals = append(e.Approvals, ap)
	return e
}

func TestRequestExceptionRules(t *testing.T) {
	snap, sale := exceptionCase()
	good := gonogo.ExceptionInput{FreezeID: sale.ID, Reason: "security fix", Until: local(2026, 11, 28, 12, 0)}
	for _, tc := range []struct {
		name  string
		actor gonogo.Actor
		in    func(gonogo.ExceptionInput) gonogo.ExceptionInput
		snap  func(gonogo.Snapshot) gonogo.Snapshot
		code  string
		field string
	}{
		{name: "no role for the product", actor: outsider, code: gonogo.EFORBIDDEN},
		{name: "role waived", actor: requester, snap: func(s gonogo.Snapshot) gonogo.Snapshot {
			s.Waivers = []gonogo.Waiver{{Role: gonogo.QALead, Reason: "no QA"}}
			return s
		}, code: gonogo.EFORBIDDEN},
		{name: "reason required", actor: requester, in: func(in gonogo.ExceptionInput) gonogo.ExceptionInput { in.Reason = " "; return in },
			code: gonogo.EINVALID, field: "reason"},
		{name: "until past the freeze", actor: requester, in: func(in gonogo.ExceptionInput) gonogo.ExceptionInput {
			in.Until = local(2026, 11, 30, 7, 0)
			return in
		}, code: gonogo.EINVALID, field: "until"},
		{name: "until in the past", actor: requester, in: func(in gonogo.ExceptionInput) gonogo.ExceptionInput {
			in.Until = excNow.Add(-time.Hour)
			return in
		}, code: gonogo.EINVALID, field: "until"},
		{name: "a freeze the window misses", actor: requester, in: func(in gonogo.ExceptionInput) gonogo.ExceptionInput { in.FreezeID = 99; return in },
			code: gonogo.EINVALID, field: "freeze"},
		{name: "one live request per freeze", actor: requester, snap: func(s gonogo.Snapshot) gonogo.Snapshot {
			s.Exceptions = []gonogo.FreezeException{{ID: 1, FreezeID: sale.ID, RequestedBy: "Erin"}}
			return s
		}, code: gonogo.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, s := good, snap
			if tc.in != nil {
				in = tc.in(in)
			}
			if tc.snap != nil {
				s = tc.snap(s)
			}
			_, _, err := gonogo.RequestException(tc.actor, s, in, excNow)
			if gonogo.ErrorCode(err) != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
			if tc.field != "" && gonogo.ErrorFields(err)[tc.field] == "" {
				t.Fatalf("no message at %s: %v", tc.field, gonogo.ErrorFields(err))
			}
		})
	}
	// A revoked request does not stand in the way of a new one.
	s := snap
	s.Exceptions = []gonogo.FreezeException{{ID: 1, FreezeID: sale.ID, RevokedAt: excNow}}
	if _, _, err := gonogo.RequestException(requester, s, good, excNow); err != nil {
		t.Fatalf("after a revoked request: %v", err)
	}
}

func TestApproveExceptionRules(t *testing.T) {
	snap, sale := exceptionCase()
	e := mustRequest(t, snap, sale)
	rel := snap.Release
	if _, _, err := gonogo.ApproveException(requester, rel, e, "mine", berlin, excNow); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("the requester approved their own request: %v", err)
	}
	if _, _, err := gonogo.ApproveException(engineer, rel, e, "  ", berlin, excNow); gonogo.ErrorFields(err)["comment"] == "" {
		t.Fatalf("an approval without a comment: %v", err)
	}
	if _, _, err := gonogo.ApproveException(outsider, rel, e, "sure", berlin, excNow); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("someone without a role approved: %v", err)
	}
	e = approve(t, rel, e, engineer)
	if _, _, err := gonogo.ApproveException(engineer, rel, e, "again", berlin, excNow); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("one person approved twice: %v", err)
	}
	e = approve(t, rel, e, opsLead)
	if e.InForce() {
		t.Fatal("two approvals without an admin or the release manager put it in force")
	}
	if got := e.Waiting(); !strings.Contains(got, "admin or the release manager") {
		t.Fatalf("waiting: %q", got)
	}
	e = approve(t, rel, e, manager)
	if !e.InForce() {
		t.Fatal("approved by the release manager, still not in force")
	}
	if _, _, err := gonogo.ApproveException(anAdmin, rel, e, "late", berlin, excNow); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("an approval after it is in force: %v", err)
	}
	// An admin counts as senior without any role.
	e2 := approve(t, rel, approve(t, rel, mustRequest(t, snap, sale), engineer), anAdmin)
	if !e2.InForce() {
		t.Fatal("an engineer and an admin do not put it in force")
	}
}

func TestExceptionOnTheGate(t *testing.T) {
	snap, sale := exceptionCase()
	e := mustRequest(t, snap, sale)
	e.ID = 1
	snap.Exceptions = []gonogo.FreezeException{e}
	g := gonogo.Evaluate(snap)
	if g.Ready || len(g.Reasons) != 1 || !strings.Contains(g.Reasons[0].Text, "exception requested by Quinn, waiting on two approvals") {
		t.Fatalf("pending: %+v", g)
	}
	e = approve(t, snap.Release, e, engineer)
	snap.Exceptions = []gonogo.FreezeException{e}
	if g := gonogo.Evaluate(snap); g.Ready || !strings.Contains(g.Reasons[0].Text, "waiting on one more approval") {
		t.Fatalf("one approval: %+v", g)
	}
	e = approve(t, snap.Release, e, manager)
	snap.Exceptions = []gonogo.FreezeException{e}
	g = gonogo.Evaluate(snap)
	if !g.Ready {
		t.Fatalf("in force, still blocked: %+v", g.Reasons)
	}
	want := "Freeze “Black Friday” overridden by Erin and Rita until Sat 28 Nov 12:00 CET: security fix"
	if len(g.Warnings) != 1 || g.Warnings[0].Text != want || g.Warnings[0].Kind != "freeze-exception" {
		t.Fatalf("warnings %+v, want %q", g.Warnings, want)
	}
	// The window moved past the exception's end: the freeze blocks again, saying why.
	moved := snap
	moved.Release.Window = win(local(2026, 11, 28, 14, 0), local(2026, 11, 28, 15, 0))
	if g := gonogo.Evaluate(moved); g.Ready || !strings.Contains(g.Reasons[0].Text, "ends Sat 28 Nov 12:00 CET, before the window leaves the freeze") {
		t.Fatalf("an exception that ends too soon: %+v", g)
	}
	// Revoked: as if none.
	e.RevokedAt, e.RevokedBy = excNow, "Rita"
	snap.Exceptions = []gonogo.FreezeException{e}
	if g := gonogo.Evaluate(snap); g.Ready || g.Reasons[0].Text != "The window overlaps the freeze “Black Friday” (Fri 27 Nov 00:00 – Mon 30 Nov 06:00 CET): move the window" {
		t.Fatalf("revoked: %+v", g)
	}
}

func TestRevokeExceptionRules(t *testing.T) {
	snap, sale := exceptionCase()
	rel := snap.Release
	e := approve(t, rel, approve(t, rel, mustRequest(t, snap, sale), engineer), manager)
	if _, err := gonogo.RevokeException(opsLead, rel, e, "no", excNow); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("someone who did not approve revoked it: %v", err)
	}
	if _, err := gonogo.RevokeException(engineer, rel, e, "", excNow); gonogo.ErrorFields(err)["reason"] == "" {
		t.Fatalf("revoked without a reason: %v", err)
	}
	if _, err := gonogo.RevokeException(engineer, rel, e, "risk grew", rel.Window.Start); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Fatalf("revoked once the window started: %v", err)
	}
	a, err := gonogo.RevokeException(engineer, rel, e, "risk grew", excNow)
	if err != nil || a.Action != gonogo.ActionExceptionRevoke || !strings.Contains(a.Detail, "risk grew") {
		t.Fatalf("revoke: %+v %v", a, err)
	}
	if _, err := gonogo.RevokeException(anAdmin, rel, e, "risk grew", excNow); err != nil {
		t.Fatalf("an admin may revoke: %v", err)
	}
}

// TestExceptionClearsTheDeploy: in force, the pipeline's gate lets a
// deploy through inside the freeze until the exception ends.
func TestExceptionClearsTheDeploy(t *testing.T) {
	snap, sale := exceptionCase()
	rel := snap.Release
	e := approve(t, rel, approve(t, rel, mustRequest(t, snap, sale), engineer), manager)
	snap.Exceptions = []gonogo.FreezeException{e}
	snap.Release.State = gonogo.Go
	d := &gonogo.Decision{Cycle: snap.Release.Cycle, Outcome: gonogo.OutcomeGo}
	if c := gonogo.Clear(snap, d, local(2026, 11, 28, 10, 30)); !c.Authorized {
		t.Fatalf("inside the exception: %+v", c.Reasons)
	}
	if c := gonogo.Clear(snap, d, local(2026, 11, 28, 12, 30)); !strings.Contains(strings.Join(c.Reasons, "; "), "the freeze “Black Friday” is in force") {
		t.Fatalf("after the exception ended, the freeze let the deploy through: %+v", c.Reasons)
	}
}
