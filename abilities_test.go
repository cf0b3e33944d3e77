package gonogo_test

import (
	"slices"
	"testing"

	"github.com/gonogo/gonogo"
)

// The states in which each ability holds, as the release page and the
// routes have always had them.
var (
	allStates    = gonogo.States
	noStates     []gonogo.State
	inReview     = []gonogo.State{gonogo.Review}
	beforeDecide = []gonogo.State{gonogo.Draft, gonogo.Review}
	notCancelled = statesBut(gonogo.Cancelled)
	notClosed    = statesBut(gonogo.Released, gonogo.Cancelled)
)

func statesBut(out ...gonogo.State) []gonogo.State {
	return slices.DeleteFunc(slices.Clone(gonogo.States), func(s gonogo.State) bool { return slices.Contains(out, s) })
}

// TestAbilitiesOf holds each role in each state of a release against what
// it may do there.
func TestAbilitiesOf(t *testing.T) {
	cases := []struct {
		name  string
		roles gonogo.RoleSet
		// the states in which each ability holds
		edit, checklist, notes, defects, waive, decide, nudge, schedule []gonogo.State
		signs                                                           bool // signs for its role while in review
		worksQAItem                                                     bool // sets the status of an item the QA lead owns
	}{
		{"product owner", gonogo.RoleSet{gonogo.ProductOwner}, allStates, noStates, notCancelled, noStates, noStates, noStates, noStates, noStates, true, false},
		{"engineering lead", gonogo.RoleSet{gonogo.EngineeringLead}, noStates, noStates, noStates, noStates, noStates, noStates, noStates, noStates, true, false},
		{"QA lead", gonogo.RoleSet{gonogo.QALead}, noStates, noStates, noStates, notClosed, noStates, noStates, noStates, noStates, true, true},
		{"ops", gonogo.RoleSet{gonogo.Ops}, noStates, noStates, noStates, noStates, noStates, noStates, noStates, noStates, true, false},
		{"support lead", gonogo.RoleSet{gonogo.SupportLead}, noStates, noStates, noStates, noStates, noStates, noStates, noStates, noStates, true, false},
		{"release manager", gonogo.RoleSet{gonogo.ReleaseManager}, allStates, allStates, notCancelled, notClosed, beforeDecide, inReview, inReview, notClosed, true, true},
		{"no role", nil, noStates, noStates, noStates, noStates, noStates, noStates, noStates, noStates, false, false},
	}
	qaItem := gonogo.Item{Title: "Integration tests pass", OwnerRole: gonogo.QALead}
	for _, tc := range cases {
		for _, st := range gonogo.States {
			t.Run(tc.name+"/"+string(st), func(t *testing.T) {
				a := gonogo.AbilitiesOf(gonogo.Actor{Roles: tc.roles}, gonogo.Snapshot{Release: gonogo.Release{State: st}})
				for _, c := range []struct {
					what string
					got  bool
					in   []gonogo.State
				}{
					{"edit the release", a.EditRelease, tc.edit},
					{"edit the checklist", a.EditChecklist, tc.checklist},
					{"write notes", a.WriteNotes, tc.notes},
					{"edit defects", a.EditDefects, tc.defects},
					{"waive roles", a.Waive, tc.waive},
					{"decide", a.Decide, tc.decide},
					{"nudge", a.Nudge, tc.nudge},
					{"schedule the window", a.Schedule, tc.schedule},
				} {
					if want := slices.Contains(c.in, st); c.got != want {
						t.Errorf("may %s: %t, want %t", c.what, c.got, want)
					}
				}
				for _, r := range gonogo.Roles {
					want := tc.signs && st == gonogo.Review && tc.roles.Has(r)
					if got := a.SignAs(r); got != want {
						t.Errorf("signs as %s: %t, want %t", r, got, want)
					}
				}
				if got := a.WorkItem(qaItem); got != tc.worksQAItem {
					t.Errorf("works the QA lead's item: %t, want %t", got, tc.worksQAItem)
				}
			})
		}
	}
}

// Granted answers for the roles alone: a release manager may decide a
// release still in draft later, and the page asks its questions ahead.
func TestAbilitiesGrantedWhateverTheState(t *testing.T) {
	rm := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	draft := gonogo.AbilitiesOf(rm, gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Draft}})
	if draft.Decide || !draft.Granted(gonogo.ActDecide) {
		t.Fatalf("in draft: decide now %t, granted %t; want false, true", draft.Decide, draft.Granted(gonogo.ActDecide))
	}
	po := gonogo.AbilitiesOf(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ProductOwner}}, gonogo.Snapshot{})
	if po.Granted(gonogo.ActDecide) || !po.Granted(gonogo.ActWriteNotes) {
		t.Fatal("a product owner writes notes and does not decide")
	}
}

// Several roles add up: an engineering lead who is also release manager
// still may not verify a fix, which only QA does.
func TestAbilitiesOfSeveralRoles(t *testing.T) {
	a := gonogo.AbilitiesOf(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.EngineeringLead, gonogo.ReleaseManager}}, gonogo.Snapshot{})
	if !a.SetDefectStatus(gonogo.DefectFixed) || !a.SetDefectStatus(gonogo.DefectDeferred) || a.SetDefectStatus(gonogo.DefectVerified) {
		t.Fatal("engineering lead and release manager: fixed and deferred yes, verified no")
	}
	if !a.Transition(gonogo.Cancel) || !a.Transition(gonogo.StartDeploy) {
		t.Fatal("the release manager takes every transition")
	}
}

func TestAppAbilitiesOf(t *testing.T) {
	cases := []struct {
		name          string
		actor         gonogo.Actor
		create, freez bool
	}{
		{"product owner", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ProductOwner}}, true, false},
		{"release manager", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}, true, true},
		{"QA lead", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}}, false, false},
		{"admin without a role", gonogo.Actor{Admin: true}, false, true},
		{"nobody", gonogo.Actor{}, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := gonogo.AppAbilitiesOf(tc.actor)
			if a.CreateRelease != tc.create || a.ManageFreezes != tc.freez || a.Administer != tc.actor.Admin {
				t.Fatalf("got %+v, want create %t, freezes %t, administer %t", a, tc.create, tc.freez, tc.actor.Admin)
			}
		})
	}
}

// RolesFor is what the routes check before they know the release, in the
// order a refusal names the roles.
func TestRolesFor(t *testing.T) {
	po, eng, qa, ops, rm := gonogo.ProductOwner, gonogo.EngineeringLead, gonogo.QALead, gonogo.Ops, gonogo.ReleaseManager
	for act, want := range map[gonogo.Act][]gonogo.Role{
		gonogo.ActCreateRelease:   {po, rm},
		gonogo.ActEditRelease:     {po, rm},
		gonogo.ActWriteNotes:      {po, rm},
		gonogo.ActEditChecklist:   {rm},
		gonogo.ActEditDefects:     {qa, rm},
		gonogo.ActSetDefectStatus: {qa, rm, eng},
		gonogo.ActTransition:      {rm, ops},
		gonogo.ActDecide:          {rm},
		gonogo.ActWaive:           {rm},
		gonogo.ActNudge:           {rm},
		gonogo.ActSchedule:        {rm},
		gonogo.ActManageFreezes:   {rm},
		gonogo.ActSign:            gonogo.Roles,
	} {
		if got := gonogo.RolesFor(act); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", act, got, want)
		}
	}
}
