package gonogo

// Who may do what, in one place. The tables below say which roles may take
// each action; AbilitiesOf and AppAbilitiesOf turn an actor's roles into
// what they may do, and everything else asks them: the action functions
// before they change anything, the routes' access sets (RolesFor), the view
// models the handlers build, and the board cache's key.
//
// Roles per product: a person holds a role for some products or for all
// (Grant). AbilitiesOf resolves the actor's roles on s.Release.Product and
// the tables stay as they are. RolesFor and AppAbilitiesOf take the union
// over products, which is what a route can check before it knows the
// release; the action functions, which call AbilitiesOf, keep the product's
// own answer.

// Act is something a person may do that some roles may and others may
// not. Signing for a role and working a checklist item are not in the
// table: a role signs for itself, and an item's owner role works it (see
// Abilities.SignAs and Abilities.WorkItem).
type Act string

const (
	// App-wide actions, not about one release (AppAbilitiesOf).
	ActCreateRelease Act = "create-release" // create a release and give it its first window
	ActManageFreezes Act = "manage-freezes" // create and remove freezes; admins may too

	// Actions on one product (ProductAbilitiesOf).
	ActManageTrackers Act = "manage-trackers" // connect, map and disconnect its trackers; admins may too
	ActEditRollout    Act = "edit-rollout"    // set its rollout stages; admins only, as its other settings

	// Actions on one release (AbilitiesOf).
	ActEditRelease   Act = "edit-release"   // its title, summary and manager
	ActWriteNotes    Act = "write-notes"    // write, preview, publish and amend its notes
	ActEditChecklist Act = "edit-checklist" // add and remove checklist items
	ActWorkAnyItem   Act = "work-any-item"  // set the status of any item, not only one's own
	ActEditDefects   Act = "edit-defects"   // add defects and edit their descriptions
	ActWaive         Act = "waive"          // say which roles must sign off
	ActDecide        Act = "decide"         // record the Go or No-Go
	ActNudge         Act = "nudge"          // remind the roles yet to sign
	ActSchedule      Act = "schedule"       // set, move or clear the window
	ActPostReview    Act = "post-review"    // record the post-release review
	ActSign          Act = "sign"           // sign off, for a role one holds
	// ActEditWorkaround: write the workaround of a known issue, in any state.
	ActEditWorkaround Act = "edit-workaround"
	// A freeze exception (exception.go): any role may ask (the domain then
	// wants one of the release's required roles) and approve; admins may
	// approve and revoke too.
	ActRequestException Act = "request-exception"
	ActApproveException Act = "approve-exception"
	ActRevokeException  Act = "revoke-exception"
	ActInvitePilot      Act = "invite-pilot" // invite pilot testers and revoke their links
	ActPilotDefect      Act = "pilot-defect" // make a defect of a problem reported in the pilot
	ActPromote          Act = "promote"      // start the next stage of a staged rollout
	// ActTransition and ActSetDefectStatus stand for the rows of their own
	// tables: RolesFor gives who may take any of them.
	ActTransition      Act = "transition"
	ActSetDefectStatus Act = "set-defect-status"
)

// grants says which roles may take each action, in the order a refusal
// names them.
var grants = map[Act][]Role{
	ActCreateRelease: {ProductOwner, ReleaseManager},
	ActManageFreezes: {ReleaseManager},
	// The QA lead keeps defect status current: connecting the tracker that
	// keeps it for them is theirs.
	ActManageTrackers: {QALead},
	ActEditRelease:    {ProductOwner, ReleaseManager},
	ActWriteNotes:     {ProductOwner, ReleaseManager},
	ActEditChecklist:  {ReleaseManager},
	ActWorkAnyItem:    {ReleaseManager},
	ActEditDefects:    {QALead, ReleaseManager},
	ActWaive:          {ReleaseManager},
	ActDecide:         {ReleaseManager},
	ActNudge:          {ReleaseManager},
	ActSchedule:       {ReleaseManager},
	ActPostReview:     {ReleaseManager},
	ActSign:           Roles, // each for itself
	// Support answers the phone about what ships unfixed; QA knows it best.
	ActEditWorkaround: {QALead, SupportLead},

	// Freeze exceptions: the domain narrows who may (exception.go).
	ActRequestException: Roles,
	ActApproveException: Roles,
	ActRevokeException:  Roles,
	ActInvitePilot:      {ReleaseManager},
	ActPilotDefect:      {QALead, ReleaseManager},
	ActPromote:          {ReleaseManager, Ops},
}

// adminMay are the actions an admin may take without a role.
var adminMay = map[Act]bool{ActManageFreezes: true, ActManageTrackers: true, ActApproveException: true, ActRevokeException: true,
	ActEditRollout: true}

// transitionGrants says who may take each transition: the release manager
// drives every one; ops may also move a release through deploying,
// verifying and rolled-back.
var transitionGrants = map[Transition][]Role{
	OpenReview:   {ReleaseManager},
	StartDeploy:  {ReleaseManager, Ops},
	FinishDeploy: {ReleaseManager, Ops},
	MarkReleased: {ReleaseManager},
	RollBack:     {ReleaseManager, Ops},
	Reopen:       {ReleaseManager},
	Cancel:       {ReleaseManager},
}

// defectStatusGrants says who may move a defect to each status: QA leads
// may set any, release managers any but verified (only QA verifies a fix),
// and engineering leads may mark a defect fixed.
var defectStatusGrants = map[DefectStatus][]Role{
	DefectOpen:       {QALead, ReleaseManager},
	DefectInProgress: {QALead, ReleaseManager},
	DefectFixed:      {QALead, ReleaseManager, EngineeringLead},
	DefectVerified:   {QALead},
	DefectDeferred:   {QALead, ReleaseManager},
	DefectWontFix:    {QALead, ReleaseManager},
}

// openIn says in which states of a release an action can be taken at all;
// an action not listed can be taken in any. The action functions refuse
// with their own words when it cannot; Abilities uses the same answer.
var openIn = map[Act]func(State) bool{
	ActWriteNotes:  func(st State) bool { return NotesEditable(st) == nil },
	ActEditDefects: func(st State) bool { return DefectsEditable(st) == nil },
	ActWaive:       func(st State) bool { return st == Draft || st == Review },
	ActDecide:      inReview,
	ActNudge:       inReview,
	ActSign:        inReview,
	ActSchedule:    func(st State) bool { return st != Released && st != Cancelled },
	ActPostReview:  PostReviewOpen,
	ActInvitePilot: func(st State) bool { return PilotOpen(st) == nil },
	ActPilotDefect: func(st State) bool { return DefectsEditable(st) == nil },
	ActPromote:     func(st State) bool { return st == Deploying },
}

func inReview(st State) bool { return st == Review }

// OpenIn reports whether a release in state st admits the action, whoever
// asks.
func (a Act) OpenIn(st State) bool {
	if open, ok := openIn[a]; ok {
		return open(st)
	}
	return true
}

// RolesFor lists the roles that may take the action on some release, in
// the order a refusal names them: what a route can check before it knows
// the release. For ActTransition and ActSetDefectStatus it is the roles
// that may take any transition, or set any status.
func RolesFor(a Act) []Role {
	var out []Role
	add := func(rs []Role) {
		for _, r := range rs {
			if !containsRole(out, r) {
				out = append(out, r)
			}
		}
	}
	switch a {
	case ActTransition:
		for _, t := range Transitions {
			add(transitionGrants[t])
		}
	case ActSetDefectStatus:
		for _, st := range DefectStatuses {
			add(defectStatusGrants[st])
		}
	default:
		add(grants[a])
	}
	return out
}

func containsRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// AppAbilities is what an actor may do that is not about one release.
type AppAbilities struct {
	CreateRelease bool // create releases (and plan their first window)
	ManageFreezes bool // create and remove freezes
	Administer    bool // people, the template, tokens, webhooks, backups
}

// AppAbilitiesOf says what actor may do across the board.
func AppAbilitiesOf(actor Actor) AppAbilities {
	return AppAbilities{
		CreateRelease: may(actor.Roles, actor.Admin, ActCreateRelease),
		ManageFreezes: may(actor.Roles, actor.Admin, ActManageFreezes),
		Administer:    actor.Admin,
	}
}

// CheckCreateRelease refuses a person who holds the roles that create
// releases, but not for product. An actor without grants (the system, a
// token, whose own scope says what it may touch) is judged by its roles
// where the route let it in.
func CheckCreateRelease(a Actor, product string) error {
	if a.Grants == nil || may(a.RolesOn(product), false, ActCreateRelease) {
		return nil
	}
	return Errorf(EFORBIDDEN, "you cannot create releases of %s: that takes the product owner or release manager role for %s", product, product)
}

// ProductAbilities is what an actor may do to one product's settings.
type ProductAbilities struct {
	ManageTrackers bool // connect, map and disconnect its trackers, and see their secrets
	EditRollout    bool // set its rollout stages
}

// ProductAbilitiesOf says what actor may do to product: its roles on that
// product, and the admin flag where admins may too.
func ProductAbilitiesOf(actor Actor, product string) ProductAbilities {
	return ProductAbilities{ManageTrackers: may(actor.RolesOn(product), actor.Admin, ActManageTrackers),
		EditRollout: may(actor.RolesOn(product), actor.Admin, ActEditRollout)}
}

// CheckManageTrackers refuses a person who may not connect or change
// product's trackers: the route let in QA leads of some product, and this
// one needs the QA lead of product, or an admin.
func CheckManageTrackers(a Actor, product string) error {
	if ProductAbilitiesOf(a, product).ManageTrackers {
		return nil
	}
	return Errorf(EFORBIDDEN, "you cannot change the trackers of %s: that takes an admin or the QA lead role for %s", product, product)
}

// AdminMay reports whether an admin may take the action without a role.
func AdminMay(a Act) bool { return adminMay[a] }

// may reports whether roles (and the admin flag) allow the action.
func may(roles RoleSet, admin bool, a Act) bool {
	return roles.Any(grants[a]...) || (admin && adminMay[a])
}

// Abilities is what an actor may do to one release as its snapshot stands.
// The fields answer "may they, now": their roles allow it and the release's
// state admits it. Where the state is judged per thing (an item's phase, a
// transition's readiness), the methods answer for the roles alone and the
// page asks the state separately (ItemEditable, TransitionChecks).
type Abilities struct {
	EditRelease   bool // title, summary and manager, in any state
	EditChecklist bool // add and remove items; each phase's items change while ItemEditable says so
	WriteNotes    bool // write, publish and amend the notes
	EditDefects   bool // add defects and edit their descriptions
	Waive         bool // say which roles must sign off
	Decide        bool // record the decision
	Nudge         bool // remind the roles yet to sign
	Schedule      bool // set, move or clear the window
	PostReview    bool // record the post-release review
	// EditWorkaround: write the workarounds of its known issues.
	EditWorkaround bool
	InvitePilot    bool // invite pilot testers and revoke their links
	PilotDefect    bool // make a defect of a problem reported in the pilot
	Promote        bool // start the next stage of a staged rollout (whether it is ready: PromotionCheck)

	roles RoleSet // the actor's roles on this release's product
	state State
}

// AbilitiesOf says what actor may do to the snapshot's release. It is the
// one place where roles become abilities on a release (see the note on
// roles per product at the top of this file).
func AbilitiesOf(actor Actor, s Snapshot) Abilities {
	a := Abilities{roles: actor.RolesOn(s.Release.Product), state: s.Release.State}
	now := func(act Act) bool { return a.Granted(act) && act.OpenIn(a.state) }
	a.EditRelease = now(ActEditRelease)
	a.EditChecklist = now(ActEditChecklist)
	a.WriteNotes = now(ActWriteNotes)
	a.EditDefects = now(ActEditDefects)
	a.Waive = now(ActWaive)
	a.Decide = now(ActDecide)
	a.Nudge = now(ActNudge)
	a.Schedule = now(ActSchedule)
	a.PostReview = now(ActPostReview)
	a.EditWorkaround = now(ActEditWorkaround) && a.state != Cancelled
	a.InvitePilot = now(ActInvitePilot)
	a.PilotDefect = now(ActPilotDefect)
	a.Promote = now(ActPromote) && len(s.Stages) > 0
	return a
}

// Granted reports whether the actor's roles allow the action on this
// release, whatever its state: what the action functions check before
// they refuse as forbidden, and what a page asks for steps still ahead.
func (a Abilities) Granted(act Act) bool { return may(a.roles, false, act) }

// Holds reports whether the actor holds role on this release: a role signs
// for itself, so this is who may sign for it, whatever the state.
func (a Abilities) Holds(role Role) bool { return a.roles.Has(role) }

// SignAs reports whether the actor may sign off for role now: they hold it
// and the review is open.
func (a Abilities) SignAs(role Role) bool { return a.Holds(role) && ActSign.OpenIn(a.state) }

// WorkItem reports whether the actor's roles let them set the status of
// it: its owner role may, and so may whoever may work any item (the release
// manager, who answers for the whole checklist).
func (a Abilities) WorkItem(it Item) bool {
	return a.roles.Has(it.OwnerRole) || a.Granted(ActWorkAnyItem)
}

// SetDefectStatus reports whether the actor's roles let them move a defect
// to status.
func (a Abilities) SetDefectStatus(to DefectStatus) bool {
	return a.roles.Any(defectStatusGrants[to]...)
}

// EditDescription reports whether the actor may edit d's description now:
// they may edit defects, and no tracker keeps d (its tracker owns title and
// severity).
func (a Abilities) EditDescription(d Defect) bool { return a.EditDefects && !d.Synced() }

// SetStatusOf reports whether the actor's roles let them move d to status:
// as SetDefectStatus says, and for a defect a tracker keeps only to the
// statuses a person may set there (Defect.SettableByHand).
func (a Abilities) SetStatusOf(d Defect, to DefectStatus) bool {
	return a.SetDefectStatus(to) && d.SettableByHand(to)
}

// Transition reports whether the actor's roles let them take t; whether
// the release is ready for it is TransitionChecks' question.
func (a Abilities) Transition(t Transition) bool {
	return a.roles.Any(transitionGrants[t]...)
}
