package db

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
)

// BenchSpec sizes a generated board for load tests and benchmarks: a year
// of a company's releases. Every row is written through the same
// transaction helpers and domain rules as the app (items settled by their
// owners, votes cast, decisions recorded, the audit chain extended), so the
// board it makes is one the app could have made itself.
type BenchSpec struct {
	Products    int // products, each with ReleasesPer releases
	ReleasesPer int
	ExtraItems  int // custom readiness items added to the template's own
	Defects     int // per release
	Days        int // how far back the first release was created
	Password    string
}

// DefaultBenchSpec is the size make bench measures: 300 releases over 10
// products, 40 checklist items and 15 defects each, six votes per review
// cycle, published notes for every release past its Go, a year of history.
var DefaultBenchSpec = BenchSpec{Products: 10, ReleasesPer: 30, ExtraItems: 16, Defects: 15, Days: 365, Password: "bench-password"}

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
	do func(tx *Tx) error
}

// SeedBench fills an empty database with a generated board. It runs in one
// transaction: the steps of every release, sorted by time, so the audit
// trail reads as a year that happened in order.
func (s *Store) SeedBench(ctx context.Context, spec BenchSpec) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(spec.Password), BcryptCost)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		end := tx.now
		start := end.AddDate(0, 0, -spec.Days)
		tx.now = start
		people, err := tx.benchPeople(string(hash))
		if err != nil {
			return err
		}
		var steps []benchStep
		for p := range spec.Products {
			for k := range spec.ReleasesPer {
				steps = append(steps, benchLife(spec, p, k, start, people)...)
			}
		}
		slices.SortStableFunc(steps, func(a, b benchStep) int { return a.at.Compare(b.at) })
		for _, st := range steps {
			tx.now = st.at.Truncate(time.Millisecond)
			if err := st.do(tx); err != nil {
				return fmt.Errorf("bench data at %s: %w", tx.now.Format(time.DateTime), err)
			}
		}
		tx.now = end
		return nil
	})
}

// benchPeople creates BenchAccounts and returns, per role, who signs for it.
func (tx *Tx) benchPeople(hash string) (map[gonogo.Role]gonogo.Actor, error) {
	people := map[gonogo.Role]gonogo.Actor{}
	for _, acc := range BenchAccounts {
		id, err := tx.createUser(gonogo.NewUser{Email: acc.Email, Name: acc.Name, Roles: acc.Roles, Admin: acc.Admin}, hash)
		if err != nil {
			return nil, err
		}
		if err := tx.audit(gonogo.SystemActor, gonogo.ActionUserCreate, 0, "created user %s", acc.Email); err != nil {
			return nil, err
		}
		if len(acc.Roles) == 1 {
			people[acc.Roles[0]] = gonogo.Actor{UserID: id, Name: acc.Name, Roles: acc.Roles, RemoteAddr: "203.0.113.7"}
		}
	}
	return people, nil
}
