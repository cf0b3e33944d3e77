package handlers_test

import (
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// auditPageSize is how many events a page of the audit trail shows.
const auditPageSize = 200

// eventIDs are the ids of the audit rows of a page, in order.
func eventIDs(t *testing.T, doc *goquery.Document) []int64 {
	t.Helper()
	var ids []int64
	doc.Find(`[data-testid=audit-row]`).Each(func(_ int, row *goquery.Selection) {
		id, err := strconv.ParseInt(row.AttrOr("data-id", ""), 10, 64)
		if err != nil {
			t.Fatalf("an audit row without its event id: %q", row.AttrOr("data-id", ""))
		}
		ids = append(ids, id)
	})
	return ids
}

// TestAuditPageIsPaged: the page shows the newest events, a bounded page
// of them, and a link to the older ones, which ends where the trail
// begins; htmx swaps just the list.
func TestAuditPageIsPaged(t *testing.T) {
	s := newServer(t)
	for i := range auditPageSize + 20 {
		s.mustCreateRelease(t, "payments", "1.0."+strconv.Itoa(i))
	}
	admin := s.signIn(t, "admin")
	all, err := s.store.FindEvents(t.Context(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	res, doc := admin.get("/admin/audit")
	wantStatus(t, res, http.StatusOK)
	first := eventIDs(t, doc)
	if len(first) != auditPageSize || first[0] != all[0].ID {
		t.Fatalf("the first page shows events %v, want %d from the newest, #%d", first, auditPageSize, all[0].ID)
	}
	older, ok := doc.Find(`[data-testid=audit-events] [data-testid=older-link]`).Attr("href")
	if !ok {
		t.Fatal("the first page has no link to older events")
	}
	if doc.Find(`[data-testid=newest-link]`).Length() != 0 {
		t.Error("the first page links to the newest events")
	}
	res, doc = admin.get(older)
	wantStatus(t, res, http.StatusOK)
	rest := eventIDs(t, doc)
	if len(first)+len(rest) != len(all) || len(rest) == 0 || rest[0] != first[len(first)-1]-1 || rest[len(rest)-1] != 1 {
		t.Fatalf("the older page shows %v after %d events, want the rest of the %d, down to #1", rest, len(first), len(all))
	}
	if doc.Find(`[data-testid=older-link]`).Length() != 0 || doc.Find(`[data-testid=newest-link]`).AttrOr("href", "") != "/admin/audit#audit-events" {
		t.Error("the oldest page links further, or not back to the newest")
	}

	// htmx swaps the list alone.
	req, _ := http.NewRequest(http.MethodGet, s.URL+older, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "audit-events")
	res = admin.do(req)
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if doc.Find(`#audit-events [data-testid=audit-row]`).Length() != len(rest) || doc.Find(`h1`).Length() != 0 {
		t.Error("htmx does not get the older events alone")
	}
	for _, bad := range []string{"/admin/audit?before=x", "/admin/audit?before=-3"} {
		res, _ := admin.get(bad)
		wantStatus(t, res, http.StatusUnprocessableEntity)
	}
}

// TestAuditPageVerifiesWhatIsNew: a view verifies the events written since
// the one before and keeps how far it got; an event edited after that is
// reported by the next view.
func TestAuditPageVerifiesWhatIsNew(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	mark := func() int64 {
		m, err := s.store.AuditMark(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return m.Seq
	}
	newest := func() int64 {
		es, _ := s.store.FindEvents(t.Context(), 1)
		return es[0].ID
	}
	if mark() != 0 {
		t.Fatal("the trail is verified before anyone looked")
	}
	_, doc := admin.get("/admin/audit")
	if doc.Find(`[data-testid=chain-ok]`).Length() != 1 || mark() != newest() {
		t.Fatalf("after a view the trail is verified through event %d, want the newest, %d", mark(), newest())
	}
	s.mustCreateRelease(t, "payments", "2.5.0")
	s.mustCreateRelease(t, "payments", "2.6.0")
	edited := newest()
	admin.get("/admin/audit")
	if mark() != edited {
		t.Fatalf("after a view the trail is verified through event %d, want %d", mark(), edited)
	}
	s.mustCreateRelease(t, "payments", "2.7.0")
	tamperDetail(t, s, edited+1)
	_, doc = admin.get("/admin/audit")
	if got := text(doc, `[data-testid=chain-break-id]`); got != itoa(edited+1) {
		t.Fatalf("break reported at %q, want event %d, the one edited after the view before", got, edited+1)
	}
	if mark() != edited {
		t.Errorf("the mark moved to %d past the break", mark())
	}
}

// TestAuditPageShowsTheWholeVerification: an edit behind what views have
// verified is found by the verification of the whole trail, and the page
// says so, with when it ran.
func TestAuditPageShowsTheWholeVerification(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/audit")
	if doc.Find(`[data-testid=chain-whole-at]`).Length() != 0 {
		t.Fatal("the page shows a verification of the whole trail before any")
	}
	if _, err := s.store.VerifyWholeTrail(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, doc = admin.get("/admin/audit")
	if doc.Find(`[data-testid=chain-ok]`).Length() != 1 || doc.Find(`[data-testid=chain-whole-at]`).Length() != 1 {
		t.Fatal("the page does not show the verification of the whole trail")
	}
	tamperDetail(t, s, 2)
	if _, err := s.store.VerifyWholeTrail(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, doc = admin.get("/admin/audit")
	broken := doc.Find(`[data-testid=chain-broken]`)
	if text(doc, `[data-testid=chain-break-id]`) != "2" || !strings.Contains(broken.Text(), "verification of the whole trail") {
		t.Fatalf("the page reports %q, want the break at event 2 found by the whole verification", broken.Text())
	}
}

// tamperDetail edits an event's detail as someone holding the file would:
// without the append-only trigger, and without hashing anything again.
func tamperDetail(t *testing.T, s *testServer, id int64) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER IF EXISTS audit_never_edited`, `UPDATE audit_events SET detail = 'nothing happened' WHERE id = ` + itoa(id)} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditPageWritesNothing: a view that verifies new events commits
// nothing to the database, so it leaves every other page's cached reads
// warm, and still shows the new events verified.
func TestAuditPageWritesNothing(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/audit")
	s.mustCreateRelease(t, "payments", "2.5.0")
	es, err := s.store.FindEvents(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	version := func() (v int64) {
		if err := conn.QueryRowContext(t.Context(), `PRAGMA data_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	res, doc := admin.get("/admin/audit")
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`[data-testid=chain-ok]`).Length() != 1 || doc.Find(`[data-testid=chain-pending]`).Length() != 0 || text(doc, `[data-testid=chain-head]`) != es[0].Hash {
		t.Fatalf("the page does not show the trail verified through the newest event, %d: %q", es[0].ID, doc.Find(`[data-testid=chain-ok]`).Text())
	}
	if after := version(); after != before {
		t.Errorf("viewing the audit page committed to the database: data_version %d, then %d", before, after)
	}
}
