package gonogo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// remindSnap is a release in review since opened, its window at start
// (for two hours; none when start is zero), every role held, with votes
// and waivers as given.
func remindSnap(opened, start time.Time, votes []gonogo.Vote, waivers []gonogo.Waiver) gonogo.Snapshot {
	rel := gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review, Cycle: 1, ManagerID: 9, ReviewAt: opened}
	if !start.IsZero() {
		rel.Window = gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
	}
	return gonogo.Snapshot{Release: rel, Votes: votes, Waivers: waivers, Staffed: gonogo.NewRoleSet(gonogo.Roles...)}
}

func TestDueReminders(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
	allButQA := func() []gonogo.Vote {
		var out []gonogo.Vote
		for i, r := range gonogo.Roles {
			if r != gonogo.QALead {
				v := vote(int64(i+1), r, 1, gonogo.VoteGo, i)
				v.At = t0
				out = append(out, v)
			}
		}
		return out
	}
	qaWaived := []gonogo.Waiver{{Role: gonogo.QALead, Reason: "no tests to run"}}
	def := gonogo.DefaultReminders
	type due struct {
		occasion gonogo.Occasion
		kind     gonogo.NotificationKind // "" when only marked
		roles    []gonogo.Role
		people   []int64
	}
	cases := []struct {
		name  string
		snap  gonogo.Snapshot
		set   gonogo.ReminderSettings
		sent  []gonogo.Occasion
		now   time.Time
		want  []due
		words []string // in the first told's text
	}{
		{name: "not yet a day open", snap: remindSnap(t0, time.Time{}, allButQA(), nil), set: def, now: h(23.9)},
		{name: "a day open, QA awaited", snap: remindSnap(t0, time.Time{}, allButQA(), nil), set: def, now: h(24),
			want:  []due{{gonogo.OccasionOpened, gonogo.NotifyReminder, []gonogo.Role{gonogo.QALead}, nil}},
			words: []string{"Reminder: payments 2.4.0 awaits the sign-off of the QA lead", "open 24h"}},
		{name: "already sent this cycle", snap: remindSnap(t0, time.Time{}, allButQA(), nil), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened}, now: h(30)},
		{name: "off with zero", snap: remindSnap(t0, time.Time{}, allButQA(), nil), set: gonogo.ReminderSettings{}, now: h(300)},
		{name: "a waived role is never reminded", snap: remindSnap(t0, h(30), allButQA(), qaWaived), set: def, now: h(29)},
		{name: "everyone signed", snap: remindSnap(t0, h(100), append(allButQA(), vote(99, gonogo.QALead, 2, gonogo.VoteNoGo, 0)), nil),
			set: def, now: h(99)},
		{name: "not in review", snap: func() gonogo.Snapshot {
			s := remindSnap(t0, time.Time{}, nil, nil)
			s.Release.State = gonogo.Draft
			return s
		}(), set: def, now: h(48)},
		{name: "a day before the window", snap: remindSnap(t0, h(72), allButQA(), nil), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened}, now: h(48),
			want:  []due{{gonogo.OccasionWindow, gonogo.NotifyReminder, []gonogo.Role{gonogo.QALead}, nil}},
			words: []string{"window starts in 24h"}},
		{name: "both due at once: one told, both marked", snap: remindSnap(t0, h(40), allButQA(), nil), set: def, now: h(30),
			want: []due{{gonogo.OccasionOpened, "", nil, nil}, {gonogo.OccasionWindow, gonogo.NotifyReminder, []gonogo.Role{gonogo.QALead}, nil}}},
		{name: "opened within a day of the window: opening told them", snap: remindSnap(t0, h(10), allButQA(), nil), set: def, now: h(1),
			want: []due{{gonogo.OccasionWindow, "", nil, nil}}},
		{name: "no window reminder once the window started", snap: remindSnap(t0, h(50), allButQA(), nil), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionEscalate}, now: h(50.5)},
		{name: "escalation four hours before", snap: remindSnap(t0, h(72), allButQA(), nil), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionWindow}, now: h(68),
			want:  []due{{gonogo.OccasionEscalate, gonogo.NotifyEscalation, []gonogo.Role{gonogo.ProductOwner}, []int64{9}}},
			words: []string{"Escalation: the QA lead has not signed payments 2.4.0 and its window starts in 4h"}},
		{name: "no escalation with a waived role", snap: remindSnap(t0, h(72), allButQA(), qaWaived), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionWindow}, now: h(70)},
		{name: "escalation names a role nobody holds", snap: func() gonogo.Snapshot {
			s := remindSnap(t0, h(72), allButQA(), nil)
			s.Staffed = gonogo.NewRoleSet(gonogo.ProductOwner, gonogo.EngineeringLead, gonogo.Ops, gonogo.SupportLead, gonogo.ReleaseManager)
			return s
		}(), set: def, sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionWindow}, now: h(69),
			want: []due{{gonogo.OccasionEscalate, gonogo.NotifyEscalation, []gonogo.Role{gonogo.ProductOwner}, []int64{9}}}},
		{name: "no escalation after the window ended", snap: remindSnap(t0, h(72), allButQA(), nil), set: def,
			sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionWindow}, now: h(74)},
		{name: "escalation off", snap: remindSnap(t0, h(72), allButQA(), nil), set: gonogo.ReminderSettings{AfterOpen: 24, BeforeWindow: 24},
			sent: []gonogo.Occasion{gonogo.OccasionOpened, gonogo.OccasionWindow}, now: h(71)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := gonogo.DueReminders(tc.snap, tc.set, tc.sent, tc.now)
			var have []due
			var texts []string
			for _, d := range got {
				g := due{occasion: d.Occasion}
				if d.Audit != nil {
					if len(d.Audit.Causes) != 1 {
						t.Fatalf("%s has %d causes", d.Occasion, len(d.Audit.Causes))
					}
					c := d.Audit.Causes[0]
					g.kind, g.roles, g.people = c.Kind, []gonogo.Role(c.Roles), c.People
					texts = append(texts, c.Text)
				}
				have = append(have, g)
			}
			if !slices.EqualFunc(have, tc.want, func(a, b due) bool {
				return a.occasion == b.occasion && a.kind == b.kind && slices.Equal(a.roles, b.roles) && slices.Equal(a.people, b.people)
			}) {
				t.Errorf("due %+v, want %+v", have, tc.want)
			}
			for _, w := range tc.words {
				if len(texts) == 0 || !strings.Contains(texts[0], w) {
					t.Errorf("told %q, want it to say %q", texts, w)
				}
			}
		})
	}
}

func TestParseReminderHours(t *testing.T) {
	cases := []struct {
		name     string
		form     map[string]string
		optional bool
		bad      []string
		want     gonogo.ReminderSettings
	}{
		{name: "all given", form: map[string]string{"remind_after_open": "12", "remind_before_window": "0", "escalate_before_window": "2"},
			want: gonogo.ReminderSettings{AfterOpen: 12, BeforeWindow: 0, Escalate: 2}},
		{name: "team needs each", form: map[string]string{"remind_after_open": "12"}, bad: []string{"remind_before_window", "escalate_before_window"}},
		{name: "product takes the team's", form: map[string]string{"remind_after_open": " ", "escalate_before_window": "1"}, optional: true,
			want: gonogo.ReminderSettings{AfterOpen: 24, BeforeWindow: 24, Escalate: 1}},
		{name: "refused", form: map[string]string{"remind_after_open": "-1", "remind_before_window": "721", "escalate_before_window": "2.5"},
			optional: true, bad: []string{"remind_after_open", "remind_before_window", "escalate_before_window"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := gonogo.ParseReminderHours(tc.form, tc.optional)
			fields := gonogo.ErrorFields(err)
			for _, f := range tc.bad {
				if fields[f] == "" {
					t.Errorf("no message beside %s: %v", f, err)
				}
			}
			if len(tc.bad) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got := o.Over(gonogo.DefaultReminders); got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
			}
		})
	}
}
