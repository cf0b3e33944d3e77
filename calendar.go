package gonogo

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Field limits for freezes.
const (
	MaxFreezeNameLen = 100
	MaxFreezeDays    = 62 // a one-off freeze longer than two months is a typo
)

// Overlaps reports whether two windows share any moment. Windows are
// half-open: one ending at 18:00 does not overlap one starting at 18:00.
func (w Window) Overlaps(o Window) bool {
	return !w.IsZero() && !o.IsZero() && w.Start.Before(o.End) && o.Start.Before(w.End)
}

// Freeze is a period when nothing may be deployed: one-off (a sales event)
// or weekly (every Friday 12:00 to Monday 06:00, in the team's time zone),
// for every product or only some.
type Freeze struct {
	ID        int64
	Name      string
	Reason    string
	Weekly    bool
	Once      Window     // a one-off freeze
	Week      WeeklySpan // a weekly freeze
	Products  []string   // empty means every product
	By        string
	CreatedAt time.Time
	Seq       int // bumped on every change, for calendar feeds
}

// WeeklySpan is a stretch of the week in wall-clock time, such as Friday
// 12:00 to Monday 06:00. Wall-clock time keeps it at 12:00 across daylight
// saving changes.
type WeeklySpan struct {
	StartDay time.Weekday
	StartMin int // minutes after midnight
	EndDay   time.Weekday
	EndMin   int
}

// Length is how long each occurrence lasts, in wall-clock terms.
func (s WeeklySpan) Length() time.Duration {
	days := (int(s.EndDay) - int(s.StartDay) + 7) % 7
	return time.Duration(days*24*60+s.EndMin-s.StartMin) * time.Minute
}

// Applies reports whether the freeze covers product.
func (f Freeze) Applies(product string) bool {
	if len(f.Products) == 0 {
		return true
	}
	for _, p := range f.Products {
		if p == product {
			return true
		}
	}
	return false
}

// Occurrences returns the freeze's periods that overlap [from, to), in order.
func (f Freeze) Occurrences(from, to time.Time, loc *time.Location) []Window {
	if !f.Weekly {
		if f.Once.Overlaps(Window{from, to}) {
			return []Window{f.Once}
		}
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	var out []Window
	days := (int(f.Week.EndDay) - int(f.Week.StartDay) + 7) % 7
	// Start a week early: an occurrence that began before from may still run.
	d := from.In(loc).AddDate(0, 0, -7)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if day.Weekday() != f.Week.StartDay {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), f.Week.StartMin/60, f.Week.StartMin%60, 0, 0, loc)
		endDay := day.AddDate(0, 0, days)
		end := time.Date(endDay.Year(), endDay.Month(), endDay.Day(), f.Week.EndMin/60, f.Week.EndMin%60, 0, 0, loc)
		if w := (Window{start.UTC(), end.UTC()}); w.Overlaps(Window{from, to}) {
			out = append(out, w)
		}
	}
	return out
}

// Describe says when the freeze is, in the team's zone.
func (f Freeze) Describe(loc *time.Location) string {
	if f.Weekly {
		return fmt.Sprintf("every %s %s to %s %s", f.Week.StartDay, clock(f.Week.StartMin), f.Week.EndDay, clock(f.Week.EndMin))
	}
	return FormatWindow(f.Once, loc)
}

// FormatWindow writes a window in the team's zone for messages.
func FormatWindow(w Window, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s, e := w.Start.In(loc), w.End.In(loc)
	zone, _ := s.Zone()
	if s.YearDay() == e.YearDay() && s.Year() == e.Year() {
		return s.Format("Mon 2 Jan 15:04") + "–" + e.Format("15:04") + " " + zone
	}
	return s.Format("Mon 2 Jan 15:04") + " – " + e.Format("Mon 2 Jan 15:04") + " " + zone
}

func clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// FreezeHit is a freeze that overlaps a window, with the occurrence it hits.
type FreezeHit struct {
	Freeze Freeze
	When   Window
}

// FreezesOver returns the freezes that apply to product and overlap w.
func FreezesOver(w Window, product string, freezes []Freeze, loc *time.Location) []FreezeHit {
	var out []FreezeHit
	if w.IsZero() {
		return nil
	}
	for _, f := range freezes {
		if !f.Applies(product) {
			continue
		}
		if occ := f.Occurrences(w.Start, w.End, loc); len(occ) > 0 {
			out = append(out, FreezeHit{f, occ[0]})
		}
	}
	return out
}

// FrozenAt returns the freeze in force for product at t, if any: the gate
// API will not authorize a deploy then.
func FrozenAt(t time.Time, product string, freezes []Freeze, loc *time.Location) (FreezeHit, bool) {
	hits := FreezesOver(Window{t, t.Add(time.Second)}, product, freezes, loc)
	if len(hits) == 0 {
		return FreezeHit{}, false
	}
	return hits[0], true
}

// FreezeInput is a freeze as typed.
type FreezeInput struct {
	Name     string
	Reason   string
	Weekly   bool
	Once     Window
	Week     WeeklySpan
	Products []string
}

// Validate reports every problem with the input at once.
func (in FreezeInput) Validate() error {
	p := Problems{}
	validateLine(p, "name", "Name", strings.TrimSpace(in.Name), MaxFreezeNameLen, true)
	validateText(p, "reason", "Reason", in.Reason, MaxReasonLen, false)
	if in.Weekly {
		w := in.Week
		if w.StartMin < 0 || w.StartMin >= 24*60 || w.EndMin < 0 || w.EndMin >= 24*60 || w.StartDay < 0 || w.StartDay > 6 || w.EndDay < 0 || w.EndDay > 6 {
			p.Add("week", "give a day and a time for the start and the end")
		} else if w.Length() <= 0 {
			p.Add("week", "a weekly freeze must end after it starts, within the week")
		}
	} else {
		switch {
		case in.Once.Start.IsZero() || in.Once.End.IsZero():
			p.Add("once", "give the start and the end")
		case !in.Once.End.After(in.Once.Start):
			p.Add("once", "the freeze must end after it starts")
		case in.Once.End.Sub(in.Once.Start) > MaxFreezeDays*24*time.Hour:
			p.Add("once", "a one-off freeze may last at most %d days", MaxFreezeDays)
		}
	}
	for _, prod := range in.Products {
		if ValidateProduct(prod) != nil {
			p.Add("products", "%q is not a product name", prod)
		}
	}
	return p.Err()
}

// LowTraffic holds the team's preferred deployment hours for each weekday,
// in the team's time zone. A day without a span has none.
type LowTraffic [7]*DailySpan

// DailySpan is a stretch of one day's wall-clock time; an end at or before
// the start runs past midnight into the next day.
type DailySpan struct {
	StartMin, EndMin int
}

// Configured reports whether any low-traffic hours are set.
func (lt LowTraffic) Configured() bool {
	for _, s := range lt {
		if s != nil {
			return true
		}
	}
	return false
}

// Covers reports whether w lies wholly inside the low-traffic hours. With no
// hours set, every window does: there is nothing to warn about.
func (lt LowTraffic) Covers(w Window, loc *time.Location) bool {
	if w.IsZero() || !lt.Configured() {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	var spans []Window
	d := w.Start.In(loc).AddDate(0, 0, -1)
	for day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc); day.Before(w.End); day = day.AddDate(0, 0, 1) {
		s := lt[day.Weekday()]
		if s == nil {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), s.StartMin/60, s.StartMin%60, 0, 0, loc)
		endDay := day
		if s.EndMin <= s.StartMin {
			endDay = day.AddDate(0, 0, 1)
		}
		end := time.Date(endDay.Year(), endDay.Month(), endDay.Day(), s.EndMin/60, s.EndMin%60, 0, 0, loc)
		spans = append(spans, Window{start, end})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start.Before(spans[j].Start) })
	covered := w.Start
	for _, s := range spans {
		if s.Start.After(covered) {
			break
		}
		if s.End.After(covered) {
			covered = s.End
		}
		if !covered.Before(w.End) {
			return true
		}
	}
	return !covered.Before(w.End)
}

// Scheduled is a release's window with what the calendar shows of it.
type Scheduled struct {
	ReleaseID int64
	Product   string
	Version   string
	Title     string
	State     State
	Window    Window
	Changed   time.Time // when the release last changed
	Rollout   string    // the stage of its rollout, "10% (2 of 4)" (see RolloutLabel); "" if none
}

// Conflicts returns the other releases of the same product whose windows
// overlap w: two deploys of one product at once are trouble.
func Conflicts(self Scheduled, others []Scheduled) []Scheduled {
	var out []Scheduled
	for _, o := range others {
		if o.ReleaseID != self.ReleaseID && o.Product == self.Product && o.Window.Overlaps(self.Window) {
			out = append(out, o)
		}
	}
	return out
}

// Warning is something worth knowing that does not block a Go: about a
// window, or, on the gate, the lack of one.
type Warning struct {
	Kind string // "low-traffic", "conflict" or "no-window"
	Text string
}

// WindowWarnings returns the warnings about a release's window: outside the
// low-traffic hours, or overlapping another release of the same product.
func WindowWarnings(self Scheduled, others []Scheduled, lt LowTraffic, loc *time.Location) []Warning {
	if self.Window.IsZero() {
		return nil
	}
	var out []Warning
	if !lt.Covers(self.Window, loc) {
		out = append(out, Warning{"low-traffic", "The window falls outside the team's low-traffic hours"})
	}
	for _, c := range Conflicts(self, others) {
		out = append(out, Warning{"conflict", fmt.Sprintf("The window overlaps %s %s (%s)", c.Product, c.Version, FormatWindow(c.Window, loc))})
	}
	return out
}

// ScheduleWindow checks that actor may set w as rel's window at now: the
// release manager schedules; a window may be cleared, and a set one must end
// after it starts and, unless the deploy is under way, not start in the past.
func ScheduleWindow(actor Actor, rel Release, w Window, now time.Time) error {
	if !AbilitiesOf(actor, Snapshot{Release: rel}).Granted(ActSchedule) {
		return Errorf(EFORBIDDEN, "only the release manager schedules the window")
	}
	if !ActSchedule.OpenIn(rel.State) {
		return Errorf(ECONFLICT, "a release that is %s has no window to schedule", rel.State.InText())
	}
	return checkWindow(w, rel.State == Deploying || rel.State == Verifying, now)
}

// PlanWindow checks the window a release is created with: whoever plans
// releases may give a new one its window, by the rules of any window; from
// then on the release manager moves it (ScheduleWindow).
func PlanWindow(actor Actor, w Window, now time.Time) error {
	if !AppAbilitiesOf(actor).CreateRelease {
		return Errorf(EFORBIDDEN, "only a product owner or the release manager plans a new release's window")
	}
	return checkWindow(w, false, now)
}

// checkWindow checks a window set or cleared: both ends in order, and not
// starting in the past unless the release is underway in it.
func checkWindow(w Window, underway bool, now time.Time) error {
	if err := w.Validate(); err != nil {
		return FieldErrorf("window", "%s", ErrorMessage(err))
	}
	if !w.IsZero() && !underway && w.Start.Before(now.Add(-time.Minute)) {
		return FieldErrorf("window", "the window starts in the past; pick a time from now on")
	}
	return nil
}

// WindowResult is the whole change of a release's window: the window to
// store, and the audit; no audit when the window stays as it is.
type WindowResult struct {
	Window Window
	Audit  *Audit
}

// MoveWindow is actor scheduling, moving or clearing rel's window at now
// (see ScheduleWindow), told in zone; a move after the Go says so.
func MoveWindow(actor Actor, rel Release, w Window, zone *time.Location, now time.Time) (WindowResult, error) {
	if err := ScheduleWindow(actor, rel, w, now); err != nil {
		return WindowResult{}, err
	}
	res := WindowResult{Window: w}
	if rel.Window.Start.Equal(w.Start) && rel.Window.End.Equal(w.End) {
		return res, nil
	}
	detail := "cleared the window"
	if !w.IsZero() {
		detail = "set the window to " + FormatWindow(w, zone)
	}
	if !rel.Window.IsZero() {
		detail += " (was " + FormatWindow(rel.Window, zone) + ")"
	}
	if rel.State == Go || rel.State == Deploying || rel.State == Verifying {
		detail += ", after the Go"
	}
	a := audit(ActionReleaseWindow, "%s", detail)
	a.Topics = []Topic{TopicWindow}
	a.Causes = []Cause{windowMoved(actor, rel, detail)}
	res.Audit = &a
	return res, nil
}

// CreateFreeze is a freeze made by actor from in, told in zone for the
// trail: the input as it is stored, and its audit.
func CreateFreeze(actor Actor, in FreezeInput, zone *time.Location) (FreezeInput, Audit, error) {
	if !AppAbilitiesOf(actor).ManageFreezes {
		return in, Audit{}, errManageFreezes()
	}
	in.Name, in.Reason = strings.TrimSpace(in.Name), strings.TrimSpace(in.Reason)
	if err := in.Validate(); err != nil {
		return in, Audit{}, err
	}
	if err := checkFreezeScope(actor, in.Products); err != nil {
		return in, Audit{}, err
	}
	f := Freeze{Name: in.Name, Weekly: in.Weekly, Once: in.Once, Week: in.Week}
	scope := "every product"
	if len(in.Products) > 0 {
		scope = strings.Join(in.Products, ", ")
	}
	a := audit(ActionFreezeCreate, "created the freeze %q, %s, for %s", in.Name, f.Describe(zone), scope)
	a.Topics = []Topic{TopicWindow}
	return in, a, nil
}

// MayRemoveFreeze reports whether actor may remove f: the freezes page
// offers its button only then.
func MayRemoveFreeze(actor Actor, f Freeze) bool {
	_, err := RemoveFreeze(actor, f)
	return err == nil
}

// FreezeScope says which products actor may freeze: every product
// (admins, and release managers for every product), or those it names.
// A freeze stops every release of its products, so a release manager for
// payments only freezes payments. An actor without grants (the system, a
// token) is judged by its roles alone.
func FreezeScope(actor Actor) (every bool, products []string) {
	if actor.Admin || actor.Grants == nil {
		return true, nil
	}
	gs := NewGrants(append(slices.Clone(actor.Grants), DeputyGrants(actor.Deputies)...)...)
	if may(gs.On(""), false, ActManageFreezes) {
		return true, nil
	}
	for _, p := range gs.Products() {
		if may(gs.On(p), false, ActManageFreezes) {
			products = append(products, p)
		}
	}
	return false, products
}

// checkFreezeScope refuses a freeze over products the actor does not
// manage (see FreezeScope), naming them.
func checkFreezeScope(actor Actor, products []string) error {
	every, mine := FreezeScope(actor)
	if every {
		return nil
	}
	if len(products) == 0 {
		return Errorf(EFORBIDDEN, "a freeze of every product takes the release manager role for every product: name the products you manage (%s)", List(mine))
	}
	var not []string
	for _, p := range products {
		if !slices.Contains(mine, p) {
			not = append(not, p)
		}
	}
	if len(not) > 0 {
		list := List(not)
		return Errorf(EFORBIDDEN, "you cannot freeze %s: that takes the release manager role for %s", list, list)
	}
	return nil
}

func errManageFreezes() error {
	return Errorf(EFORBIDDEN, "only admins and release managers manage freezes")
}

// RemoveFreeze is the freeze f taken away by actor: its audit.
func RemoveFreeze(actor Actor, f Freeze) (Audit, error) {
	if !AppAbilitiesOf(actor).ManageFreezes {
		return Audit{}, errManageFreezes()
	}
	if err := checkFreezeScope(actor, f.Products); err != nil {
		return Audit{}, err
	}
	a := audit(ActionFreezeDelete, "removed the freeze %q", f.Name)
	a.Topics = []Topic{TopicWindow}
	return a, nil
}
