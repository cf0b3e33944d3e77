package db_test

import (
	"database/sql"
	"maps"
	"os"
	"slices"
	"testing"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // the raw connection that tampers with the file

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestMain(m *testing.M) {
	db.BcryptCost = bcrypt.MinCost // hashing stays real, just cheap
	code := m.Run()
	closeBenchStore()
	os.Exit(code)
}

const testPassword = "correct horse battery"

// wantCode fails the test unless err carries code ("" for nil).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := gonogo.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err: %v), want %q", got, err, code)
	}
}

// wantField fails the test unless err is EINVALID and names exactly fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	wantCode(t, err, gonogo.EINVALID)
	got := slices.Sorted(maps.Keys(gonogo.ErrorFields(err)))
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("error fields = %v (err: %v), want %v", got, err, want)
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

func actor(u gonogo.User) gonogo.Actor {
	return gonogo.Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles, Admin: u.Admin, RemoteAddr: "192.0.2.1"}
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

func mustFindItems(t *testing.T, s *db.Store, releaseID int64) []gonogo.Item {
	t.Helper()
	items, err := s.FindItems(t.Context(), releaseID)
	if err != nil {
		t.Fatalf("find items of release %d: %v", releaseID, err)
	}
	return items
}

// itemTitled returns the item of items with title.
func itemTitled(t *testing.T, items []gonogo.Item, title string) gonogo.Item {
	t.Helper()
	for _, it := range items {
		if it.Title == title {
			return it
		}
	}
	t.Fatalf("no item %q", title)
	return gonogo.Item{}
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

// lastEvent returns the newest audit event.
func lastEvent(t *testing.T, s *db.Store) gonogo.Event {
	t.Helper()
	es := mustEvents(t, s)
	if len(es) == 0 {
		t.Fatal("the audit trail is empty")
	}
	return es[0]
}

// rawDB opens a second, plain connection to the store's file, as someone
// with the file in hand would.
func rawDB(t *testing.T, s *db.Store) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func mustExec(t *testing.T, raw *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := raw.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
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

// setState moves a release to state directly in the file: the store has no
// state transitions yet, and these tests need releases in every state.
func setState(t *testing.T, s *db.Store, releaseID int64, state gonogo.State) {
	t.Helper()
	mustExec(t, rawDB(t, s), `UPDATE releases SET state = ? WHERE id = ?`, string(state), releaseID)
}
