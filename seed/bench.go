package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// BenchSpec sizes a generated board for load tests and benchmarks: a year
// of a company's releases. Every row is written through the store's methods
// and the domain's rules, as the app writes them (items settled by their
// owners, votes cast, decisions recorded, the audit chain extended), so the
// board it makes is one the app could have made itself.
type BenchSpec struct {
	Products    int // products, each with ReleasesPer releases
	ReleasesPer int
	ExtraItems  int // custom readiness items added to the template's own
	Defects     int // per release
	Days        int // how far back the first release was created
	// History adds, per product, that many older releases before the
	// first of the Days: the same board on screen, with a longer past
	// behind it (the H30 board). Their versions start at 0.
	History  int
	Password string
}

// DefaultBenchSpec is the size make bench measures: 300 releases over 10
// products, 40 checklist items and 15 defects each, six votes per review
// cycle, published notes for every release past its Go, a year of history.
var DefaultBenchSpec = BenchSpec{Products: 10, ReleasesPer: 30, ExtraItems: 16, Defects: 15, Days: 365, Password: "bench-password"}

// BenchScales are the boards a scale run of make bench measures beside
// 1×: more products and more years (10×: 20 products × 150 releases over
// five years; 30×: 50 × 180 over ten), or the 1× board's active releases
// with 30 times its history behind them (H30: 10 products × 900 releases,
// the newest 30 of each as at 1×).
var BenchScales = map[string]BenchSpec{
	"1":   DefaultBenchSpec,
	"10":  {Products: 20, ReleasesPer: 150, ExtraItems: 16, Defects: 15, Days: 5 * 365, Password: "bench-password"},
	"30":  {Products: 50, ReleasesPer: 180, ExtraItems: 16, Defects: 15, Days: 10 * 365, Password: "bench-password"},
	"H30": {Products: 10, ReleasesPer: 30, ExtraItems: 16, Defects: 15, Days: 365, History: 30*30 - 30, Password: "bench-password"},
}

// Releases is how many releases the spec makes.
func (spec BenchSpec) Releases() int { return spec.Products * (spec.History + spec.ReleasesPer) }

// period is the time between two releases of a product.
func (spec BenchSpec) period() time.Duration {
	return time.Duration(spec.Days) * 24 * time.Hour / time.Duration(spec.ReleasesPer)
}

// BenchAccounts are the people of a generated board: one per role, an
// admin, and a lead who holds every role (the load test's writer).
var BenchAccounts = []struct {
	Email, Name string
	Roles       gonogo.RoleSet
	Admin       bool
}{
	{"admin@bench.example", "Ada Admin", nil, true},
	{"po@bench.example", "Pia Owner", gonogo.RoleSet{gonogo.ProductOwner}, false},
	{"eng@bench.example", "Emil Engineer", gonogo.RoleSet{gonogo.EngineeringLead}, false},
	{"qa@bench.example", "Quentin QA", gonogo.RoleSet{gonogo.QALead}, false},
	{"ops@bench.example", "Olga Ops", gonogo.RoleSet{gonogo.Ops}, false},
	{"support@bench.example", "Sven Support", gonogo.RoleSet{gonogo.SupportLead}, false},
	{"rm@bench.example", "Rhea Manager", gonogo.RoleSet{gonogo.ReleaseManager}, false},
	{"lead@bench.example", "Lou Lead", gonogo.NewRoleSet(gonogo.Roles...), false},
}

// benchStep is one change of the generated history, at its moment.
type benchStep struct {
	at time.Time
	do func(w *writer) error
}

// Bench fills an empty database with a generated board: the steps of
// every release, sorted by time and each written at its moment, so the
// audit trail reads as a year that happened in order.
func Bench(ctx context.Context, store *db.Store, spec BenchSpec) error {
	w := newWriter(ctx, store)
	end := w.now
	start := end.AddDate(0, 0, -spec.Days)
	w.at(start.Add(-time.Duration(spec.History) * spec.period()))
	people, err := w.benchPeople(spec.Password)
	if err != nil {
		return err
	}
	var steps []benchStep
	for p := range spec.Products {
		for k := -spec.History; k < spec.ReleasesPer; k++ {
			steps = append(steps, benchLife(spec, p, k, start, people)...)
		}
	}
	slices.SortStableFunc(steps, func(a, b benchStep) int { return a.at.Compare(b.at) })
	for _, st := range steps {
		w.at(st.at)
		if err := st.do(w); err != nil {
			return fmt.Errorf("bench data at %s: %w", w.now.Format(time.DateTime), err)
		}
	}
	return nil
}

// benchPeople creates BenchAccounts and returns, per role, who signs for it.
func (w *writer) benchPeople(password string) (map[gonogo.Role]gonogo.Actor, error) {
	people := map[gonogo.Role]gonogo.Actor{}
	for _, acc := range BenchAccounts {
		u, err := w.store.CreateUser(w.ctx, gonogo.SystemActor,
			gonogo.NewUser{Email: acc.Email, Name: acc.Name, Password: password, Roles: acc.Roles, Admin: acc.Admin})
		if err != nil {
			return nil, err
		}
		if len(acc.Roles) == 1 {
			people[acc.Roles[0]] = gonogo.Actor{UserID: u.ID, Name: acc.Name, Roles: acc.Roles, RemoteAddr: "203.0.113.7"}
		}
	}
	return people, nil
}
