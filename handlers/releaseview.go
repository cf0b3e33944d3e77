package handlers

// The release page's view models, in one place: the page whole, and each
// part a swap or a refusal renders again (the gate, the sign-offs, the
// state buttons, the window, the checklist, the defects, the discussion).
// Each asks the domain what the reader may do (gonogo.Abilities) and
// presents what the snapshot holds.

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// releaseView loads a release and builds its page for the signed-in user,
// its long lists at the pages the request asks for (pagesOf).
func (h *Handler) releaseView(c echo.Context, id int64) (views.ReleaseView, error) {
	pages, err := pagesOf(c)
	if err != nil {
		return views.ReleaseView{}, err
	}
	return h.releaseViewAt(c, id, pages)
}

// releaseViewAt builds the release page with its lists at pages.
func (h *Handler) releaseViewAt(c echo.Context, id int64, pages listPages) (views.ReleaseView, error) {
	ctx := c.Request().Context()
	snap, err := h.store.FindSnapshot(ctx, id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	events, err := h.store.FindEventPage(ctx, id, pages.History, historyPageSize+1)
	if err != nil {
		return views.ReleaseView{}, err
	}
	earlier, err := h.earlierVotes(ctx, snap, pages)
	if err != nil {
		return views.ReleaseView{}, err
	}
	decisions, err := h.store.FindDecisions(ctx, id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	active, err := h.store.FindActiveWindows(ctx)
	if err != nil {
		return views.ReleaseView{}, err
	}
	notes, err := h.store.FindNotes(ctx, id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	meeting, err := h.store.FindMeeting(ctx, id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	u := currentUser(c)
	ab := h.abilities(c, snap)
	v := buildReleaseView(h.actor(c), ab, snap, earlier, h.store.Now())
	if err := h.briefSupport(ctx, ab, snap, &v.Signoffs); err != nil {
		return views.ReleaseView{}, err
	}
	v.History = historyView(id, pages, events)
	v.Decisions = decisions
	v.Window = windowView(ab, snap, active, h.team(ctx).LowTraffic, h.page(c, "", ""))
	v.Window.Exceptions = exceptionsView(h.actor(c), snap, h.page(c, "", ""), h.store.Now())
	v.Confirms = append(v.Confirms, exceptionConfirms(v.Window.Exceptions)...)
	v.Notes = notesPanel(ab, snap.Release, notes)
	known, err := h.store.FindReleaseKnownIssues(ctx, id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	for _, k := range known {
		v.Notes.KnownIssues++
		if k.Workaround == "" {
			v.Notes.MissingWorkarounds++
		}
	}
	v.Meeting = meetingPanelView(ab, snap.Release, meeting, h.page(c, "", ""))
	if v.Discussion, err = h.discussionView(ctx, u, snap.Release, pages); err != nil {
		return views.ReleaseView{}, err
	}
	if v.Alerts, err = h.alertsView(ctx, snap.Release); err != nil {
		return views.ReleaseView{}, err
	}
	if gonogo.EvidenceMatters(snap.Release) {
		if v.Evidence, err = h.store.FindEvidence(ctx, snap.Release.ID); err != nil {
			return views.ReleaseView{}, err
		}
	}
	same, err := h.store.FindNamesakes(ctx, snap.Release.Product, snap.Release.Version)
	if err != nil {
		return views.ReleaseView{}, err
	}
	v.Replaces, v.ReplacedBy = gonogo.Lineage(snap.Release, same)
	if v.PostReview, err = h.postReviewPanel(ctx, ab, snap.Release); err != nil {
		return views.ReleaseView{}, err
	}
	if err := h.withPilot(c, &v); err != nil {
		return views.ReleaseView{}, err
	}
	return v, nil
}

// historyView is a page of the release's history, read with one event
// more than it shows.
func historyView(id int64, pages listPages, events []gonogo.Event) views.HistoryView {
	events, older := onePage(events, historyPageSize, func(e gonogo.Event) int64 { return e.ID })
	return views.HistoryView{
		Events: events,
		Nav:    pages.nav(id, pages.History, older, func(p *listPages, at int64) { p.History = at }),
	}
}

// partsView builds what a checklist change redraws (the item's row, the
// counts and the gate) from the snapshot alone. The
// history, decisions, window, notes and discussion of releaseView are not
// in those fragments, and reading them after every change cost the board
// many of the changes it could take (docs/performance.md).
func (h *Handler) partsView(c echo.Context, id int64) (views.ReleaseView, error) {
	snap, err := h.store.FindSnapshot(c.Request().Context(), id)
	if err != nil {
		return views.ReleaseView{}, err
	}
	v := buildReleaseView(h.actor(c), h.abilities(c, snap), snap, earlierVotes{}, h.store.Now())
	return v, h.withPilotTally(c, &v)
}

func buildReleaseView(actor gonogo.Actor, ab gonogo.Abilities, snap gonogo.Snapshot, earlier earlierVotes, now time.Time) views.ReleaseView {
	rel := snap.Release
	v := views.ReleaseView{
		Release:          rel,
		Gate:             gateView(ab, snap),
		Signoffs:         signoffView(actor, ab, snap, earlier, now),
		Lifecycle:        lifecycleView(ab, snap, now),
		Kind:             views.KindView{Release: rel, Policy: snap.Policy(), Overdue: gonogo.ReviewOverdue(rel, snap.Items, now)},
		Rollout:          rolloutView(ab, snap, now),
		Confirms:         releaseConfirms(ab, rel),
		Summary:          pillarStats(snap.Items),
		CanEdit:          ab.EditRelease,
		CanEditChecklist: ab.EditChecklist,
		AddItem:          views.ItemForm{Input: gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true}},
		Defects:          defectsView(ab, rel, snap.Defects),
		Scope:            views.ScopeView{Release: rel, Changes: snap.Scope, More: snap.ScopeMore},
	}
	v.Confirms = append(v.Confirms, views.PromoteConfirms(v.Rollout)...)
	groups := map[string]*views.ItemGroup{}
	for _, p := range gonogo.Pillars {
		v.Pillars = append(v.Pillars, views.ItemGroup{ID: string(p), Label: p.Label()})
	}
	for i := range v.Pillars {
		groups[v.Pillars[i].ID] = &v.Pillars[i]
	}
	v.Verification = views.ItemGroup{ID: string(gonogo.Verification), Label: gonogo.Verification.Label(),
		Progress: gonogo.PhaseProgress(snap.Items, gonogo.Verification)}
	v.Rollback = views.ItemGroup{ID: string(gonogo.Rollback), Label: gonogo.Rollback.Label(),
		Progress: gonogo.PhaseProgress(snap.Items, gonogo.Rollback)}
	groups[string(gonogo.Verification)], groups[string(gonogo.Rollback)] = &v.Verification, &v.Rollback
	prog := gonogo.PillarProgress(snap.Items)
	for i := range v.Pillars {
		v.Pillars[i].Progress = prog[gonogo.Pillar(v.Pillars[i].ID)]
	}
	for _, it := range snap.Items {
		key := string(it.Phase)
		if it.Phase == gonogo.Readiness {
			key = string(it.Pillar)
		}
		g := groups[key]
		if g == nil {
			continue
		}
		g.Items = append(g.Items, itemView(ab, rel, it))
		if it.IsCondition() && !it.Status.Settled() {
			v.OpenConditions = append(v.OpenConditions, it)
		}
	}
	return v
}

func itemView(ab gonogo.Abilities, rel gonogo.Release, it gonogo.Item) views.ItemView {
	return views.ItemView{
		Item:      it,
		CanWork:   ab.WorkItem(it),
		CanRemove: ab.EditChecklist && it.Removable(),
		Editable:  gonogo.ItemEditable(rel.State, it.Phase) == nil,
		Evidence:  it.Evidence,
		Reason:    it.Reason,
	}
}

// renderReleaseWith shows the release page after adjusting its view, e.g.
// to show a form again with its problems.
func (h *Handler) renderReleaseWith(c echo.Context, status int, rid int64, adjust func(*views.ReleaseView)) error {
	v, err := h.releaseView(c, rid)
	if err != nil {
		return err
	}
	adjust(&v)
	return render(c, status, views.ReleasePage(h.page(c, v.Release.Name(), "board"), v))
}

// defectsView builds a release's defects section for a reader who may do ab.
func defectsView(ab gonogo.Abilities, rel gonogo.Release, defects []gonogo.Defect) views.DefectsView {
	v := views.DefectsView{
		Release:  rel,
		Counts:   gonogo.CountDefects(defects),
		CanEdit:  ab.EditDefects,
		Editable: gonogo.DefectsEditable(rel.State) == nil,
		Add:      views.DefectForm{Input: gonogo.DefectInput{Severity: gonogo.Major, Status: gonogo.DefectOpen}},
	}
	for _, d := range defects {
		v.Defects = append(v.Defects, defectView(ab, rel, d, false))
	}
	return v
}

// defectView is one defect for a reader who may do ab: the statuses they
// may set and whether they may edit its description.
func defectView(ab gonogo.Abilities, rel gonogo.Release, d gonogo.Defect, inList bool) views.DefectView {
	v := views.DefectView{
		Defect:  d,
		Release: rel,
		CanEdit: ab.EditDescription(d),
		InList:  inList,
		Reason:  d.Reason,
		Edit: views.DefectForm{Input: gonogo.DefectInput{Title: d.Title, Severity: d.Severity, Status: d.Status,
			Key: d.Key, TrackerURL: d.TrackerURL, Notes: d.Notes}},
	}
	if gonogo.DefectsEditable(rel.State) != nil {
		return v
	}
	for _, st := range gonogo.DefectStatuses {
		if st == d.Status || ab.SetStatusOf(d, st) {
			v.Statuses = append(v.Statuses, st)
		}
	}
	if len(v.Statuses) <= 1 {
		v.Statuses = nil // nothing to choose: show the status as text
	}
	return v
}

// gateView is the gate with the decision form for those who may decide.
func gateView(ab gonogo.Abilities, snap gonogo.Snapshot) views.GateView {
	return views.GateView{
		Release:   snap.Release,
		Gate:      gonogo.Evaluate(snap),
		CanDecide: ab.Decide,
	}
}

// signoffView builds the sign-off panel for actor: every role, its current
// vote and a page of its earlier ones, a form for each role the viewer
// holds, and, until the review is over, which roles they sign for here and
// why not the others they hold.
func signoffView(actor gonogo.Actor, ab gonogo.Abilities, snap gonogo.Snapshot, earlier earlierVotes, now time.Time) views.SignoffView {
	rel := snap.Release
	v := views.SignoffView{
		Release:  rel,
		Open:     gonogo.ActSign.OpenIn(rel.State),
		CanWaive: ab.Waive,
	}
	if v.Open || rel.State == gonogo.Draft {
		v.Signer = gonogo.SignerNote(actor, rel.Product, now)
	}
	v.Waiting, v.Unstaffed = gonogo.Waiting(snap), gonogo.Unstaffed(snap)
	v.CanNudge = ab.Nudge
	if !rel.ReviewAt.IsZero() {
		v.Waited = now.Sub(rel.ReviewAt)
	}
	current := gonogo.CurrentVotes(rel, snap.Votes)
	for _, r := range gonogo.Roles {
		row := views.SignoffRow{Role: r, CanSign: ab.SignAs(r), Unstaffed: slices.Contains(v.Unstaffed, r)}
		if w, ok := snap.WaiverFor(r); ok {
			row.Waiver = &w
		}
		if w, ok := snap.Policy().Leaves(r); ok {
			row.Waiver, row.ByPolicy = &w, true
		}
		if cur, ok := current[r]; ok {
			row.Current = &cur
			row.Form.Conditions = gonogo.FormatConditions(cur.Conditions, r)
		}
		e := earlier[r]
		row.History, row.Earlier, row.Nav, row.Open = e.Votes, e.Count, e.Nav, e.Open
		v.Rows = append(v.Rows, row)
	}
	return v
}

// lifecycleView is the state buttons the viewer may press on the
// snapshot's release: each with whether the release is ready for it and,
// if not, every reason.
func lifecycleView(ab gonogo.Abilities, snap gonogo.Snapshot, now time.Time) views.LifecycleView {
	v := views.LifecycleView{Release: snap.Release}
	for _, tc := range gonogo.TransitionChecksAt(snap, now) {
		if ab.Transition(tc.Transition) {
			v.Checks = append(v.Checks, tc)
		}
	}
	return v
}

// windowView builds the window panel: the window's warnings and freezes,
// and the form for the release manager.
func windowView(ab gonogo.Abilities, snap gonogo.Snapshot, active []gonogo.Scheduled, lt gonogo.LowTraffic, p views.Page) views.WindowView {
	rel := snap.Release
	self := gonogo.Scheduled{ReleaseID: rel.ID, Product: rel.Product, Version: rel.Version, Window: rel.Window}
	return views.WindowView{
		Release:  rel,
		Warnings: gonogo.WindowWarnings(self, active, lt, snap.Zone),
		Freezes:  gonogo.FreezesOver(rel.Window, rel.Product, snap.Freezes, snap.Zone),
		CanEdit:  ab.Schedule,
		Start:    p.InputTime(rel.Window.Start),
		End:      p.InputTime(rel.Window.End),
	}
}

// discussionView arranges a page of the cycle's comments in threads,
// oldest first, marking those that call on a role the viewer holds. A
// reply whose thread starts on an earlier page is shown under a link to
// that page.
func (h *Handler) discussionView(ctx context.Context, u *gonogo.User, rel gonogo.Release, pages listPages) (views.DiscussionView, error) {
	v := views.DiscussionView{Release: rel, Viewer: u, Now: h.store.Now()}
	rows, err := h.store.FindCommentPage(ctx, rel.ID, rel.Cycle, pages.Comments, commentPageSize+1)
	if err != nil {
		return v, err
	}
	comments, older := onePage(rows, commentPageSize, func(c gonogo.Comment) int64 { return c.ID })
	v.Nav = pages.nav(rel.ID, pages.Comments, older, func(p *listPages, at int64) { p.Comments = at })
	index := map[int64]int{}
	for _, c := range slices.Backward(comments) {
		cv := views.CommentView{Comment: c, Editable: c.Editable(v.Now)}
		if u != nil {
			cv.Mentioned = c.MentionsAny(u.Roles)
			cv.Mine = c.AuthorID == u.ID
		}
		if c.Edits > 0 {
			edits, err := h.store.FindCommentEdits(ctx, c.ID, earlierTexts)
			if err != nil {
				return v, err
			}
			for _, e := range edits {
				cv.Earlier = append(cv.Earlier, e.Body)
			}
		}
		if c.ParentID == 0 {
			index[c.ID] = len(v.Threads)
			v.Threads = append(v.Threads, views.Thread{Comment: cv})
			continue
		}
		i, ok := index[c.ParentID]
		if !ok {
			start := pages
			start.Comments = c.ParentID + 1 // the page that ends with the thread's first comment
			i, index[c.ParentID] = len(v.Threads), len(v.Threads)
			v.Threads = append(v.Threads, views.Thread{Start: start.url(rel.ID) + "#comment-" + strconv.FormatInt(c.ParentID, 10)})
		}
		v.Threads[i].Replies = append(v.Threads[i].Replies, cv)
	}
	return v, nil
}
