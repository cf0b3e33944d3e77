package seed_test

import (
	"database/sql"
	"os"
	"slices"
	"testing"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // the raw connection that counts rows

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestMain(m *testing.M) {
	db.BcryptCost = bcrypt.MinCost // hashing stays real, just cheap
	os.Exit(m.Run())
}

const testPassword = "correct horse battery"

// wantCode fails the test unless err carries code ("" for nil).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := gonogo.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err: %v), want %q", got, err, code)
	}
}

// mustCreateUser adds an enabled user named after the local part of email.
func mustCreateUser(t *testing.T, s *db.Store, email string, admin bool, roles ...gonogo.Role) gonogo.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{
		Email: email, Name: "User " + email, Password: testPassword, Roles: gonogo.NewRoleSet(roles...), Admin: admin,
	})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// mustCreateRelease adds a draft release of product with version, without a manager.
func mustCreateRelease(t *testing.T, s *db.Store, product, version string) gonogo.Release {
	t.Helper()
	r, err := s.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{
		Product: product, Version: version, Title: "Release " + version,
	})
	if err != nil {
		t.Fatalf("create release %s %s: %v", product, version, err)
	}
	return r
}

// mustEvents returns the whole audit trail, newest first.
func mustEvents(t *testing.T, s *db.Store) []gonogo.Event {
	t.Helper()
	es, err := s.FindEvents(t.Context(), 100000)
	if err != nil {
		t.Fatalf("find events: %v", err)
	}
	return es
}

// rawDB opens a plain connection to the store's file, for what the store
// does not show: row counts, columns as stored.
func rawDB(t *testing.T, s *db.Store) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// count returns the number of rows of table.
func count(t *testing.T, s *db.Store, table string) int {
	t.Helper()
	var n int
	if err := rawDB(t, s).QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
