package views_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// benchHistory is how much a release has been through: comments in its
// cycle's discussion, votes of the cycle (spread over the six roles) and
// events in its history.
type benchHistory struct{ comments, votes, events int }

// benchRelease is a release page in review as the handler builds it: 40
// checklist items, 15 defects, every role signed, and its long lists a
// page each (50 events, 30 comments, 10 earlier votes a role) whatever
// the history behind them.
func benchRelease(h benchHistory) (views.Page, views.ReleaseView) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	zone, _ := time.LoadLocation("Europe/Berlin")
	u := &gonogo.User{ID: 1, Name: "Lou Lead", Roles: gonogo.NewRoleSet(gonogo.Roles...)}
	p := views.Page{Title: "payments 2.4.0", Nav: "board", User: u, App: gonogo.AppAbilitiesOf(gonogo.Actor{Roles: u.Roles}), CSRF: "csrf-token", Loc: zone, Live: "/events?scope=release&since=1&release=1"}
	rel := gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", Title: "Faster refunds", State: gonogo.Review, Cycle: 1,
		ManagerName: "Rhea Manager", Window: gonogo.Window{Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour)}}
	v := views.ReleaseView{Release: rel, CanEdit: true, CanEditChecklist: true,
		Gate: views.GateView{Release: rel, CanDecide: true, Gate: gonogo.Gate{Reasons: make([]gonogo.Reason, 3)}}}
	for i, pl := range gonogo.Pillars {
		g := views.ItemGroup{ID: string(pl), Label: pl.Label(), Progress: gonogo.Progress{Done: 8, Required: 12}}
		for j := range 12 {
			it := gonogo.Item{ID: int64(i*12 + j + 1), ReleaseID: 1, Phase: gonogo.Readiness, Pillar: pl, Title: fmt.Sprintf("Item %d of %s", j, pl.Label()),
				OwnerRole: gonogo.Roles[j%len(gonogo.Roles)], Required: true, Status: gonogo.ItemDone, Evidence: "https://ci.example.com/run/1"}
			g.Items = append(g.Items, views.ItemView{Item: it, CanWork: true, Editable: true, Evidence: it.Evidence})
		}
		v.Pillars = append(v.Pillars, g)
		v.Summary = append(v.Summary, views.PillarStat{Pillar: pl, Progress: g.Progress})
	}
	v.Defects = views.DefectsView{Release: rel, CanEdit: true, Editable: true}
	for i := range 15 {
		d := gonogo.Defect{ID: int64(i + 1), ReleaseID: 1, Title: fmt.Sprintf("Refund rounding %d", i), Severity: gonogo.Major, Status: gonogo.DefectOpen}
		v.Defects.Defects = append(v.Defects.Defects, views.DefectView{Defect: d, Release: rel, CanEdit: true})
	}
	pageOf := func(n, size int) int { return min(n, size) }
	older := "/releases/1?history=1"
	v.History.Nav = views.ListNav{Older: older}
	for i := range pageOf(h.events, 50) {
		v.History.Events = append(v.History.Events, gonogo.Event{ID: int64(h.events - i), At: now, Actor: "Quentin QA", Action: "comment.add",
			Detail: fmt.Sprintf("commented: the smoke run %d is green", i)})
	}
	v.Discussion = views.DiscussionView{Release: rel, Viewer: u, Now: now, Nav: views.ListNav{Older: older}}
	for i := range pageOf(h.comments, 30) {
		c := gonogo.Comment{ID: int64(i + 1), ReleaseID: 1, Cycle: 1, AuthorID: 2, Author: "Quentin QA", CreatedAt: now, UpdatedAt: now,
			Body: fmt.Sprintf("Comment %d: the smoke run looks fine on [the dashboard](https://grafana.example.com/d/%d).", i, i)}
		v.Discussion.Threads = append(v.Discussion.Threads, views.Thread{Comment: views.CommentView{Comment: c}})
	}
	v.Signoffs = views.SignoffView{Release: rel, Open: true, CanWaive: true}
	perRole := h.votes / len(gonogo.Roles)
	for _, r := range gonogo.Roles {
		cur := gonogo.Vote{ID: 1, ReleaseID: 1, Cycle: 1, Role: r, UserName: "Lou Lead", Value: gonogo.VoteGo, At: now}
		row := views.SignoffRow{Role: r, Current: &cur, CanSign: true, Earlier: max(perRole-1, 0), Nav: views.ListNav{Older: older}}
		for i := range pageOf(perRole-1, 10) {
			row.History = append(row.History, gonogo.Vote{ID: int64(i + 2), Role: r, UserName: "Lou Lead", Value: gonogo.VoteNoGo, At: now, Comment: "Not yet"})
		}
		v.Signoffs.Rows = append(v.Signoffs.Rows, row)
	}
	return p, v
}

// BenchmarkReleasePage renders a release page after a short review and
// after a long one (300 comments, 300 votes, 500 events): with the lists
// paged, the two cost about the same.
func BenchmarkReleasePage(b *testing.B) {
	for _, tc := range []struct {
		name string
		h    benchHistory
	}{
		{"short", benchHistory{comments: 20, votes: 20, events: 20}},
		{"long", benchHistory{comments: 300, votes: 300, events: 500}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p, v := benchRelease(tc.h)
			var n int64
			for b.Loop() {
				w := &countingWriter{}
				if err := views.ReleasePage(p, v).Render(b.Context(), w); err != nil {
					b.Fatal(err)
				}
				n = w.n
			}
			b.ReportMetric(float64(n), "bytes/page")
		})
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
