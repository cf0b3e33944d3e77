package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/static"
)

// actors are the people a session can belong to: signed out, each role and
// an admin. The matrix adds its other columns (authz_matrix_test.go).
var actors = []string{"anon", "po", "eng", "qa", "ops", "support", "rm", "admin"}

// fixture is what one cell of the table acts on, made fresh for each cell
// that is to change something, so that one actor's change cannot decide
// another's outcome.
type fixture struct {
	release gonogo.Release
	item    gonogo.Item // a required readiness item owned by the QA lead
	custom  gonogo.Item // a custom advisory item, removable
	defect  int64       // a major defect, open
	decided int64       // a release with decision 1 recorded
	freeze  int64
	comment int64       // written by the release manager
	user    gonogo.User // a user for admin routes to act on
	tplItem int64
	product string // a product of its own, for the admin's product routes
	own     string // a product with a checklist template of its own
	token   int64  // an API token, working
	webhook int64
	sink    string // where webhooks deliver

	// checkpoint is a signed checkpoint of the trail, with the server's key.
	checkpoint string

	// frozen is a release whose window lies in the freeze and in a second
	// one (freeze2, which no route removes), over which someone outside
	// the matrix asked for an exception, pending.
	frozen, exception, freeze2 int64
}

// meetingForm is a valid meeting form: a month ahead, in a room.
var meetingForm = url.Values{"start": {time.Now().AddDate(0, 1, 0).Format("2006-01-02T15:04")}, "minutes": {"30"}, "where": {"Room 4"}}

// notesForm is a valid notes form.
var notesForm = url.Values{"title": {"What is new"}, "highlights": {"Something new, again."}}

// authCase is one route behind a session: the path with its placeholders, a
// valid form, the status a permitted actor gets and who is permitted. No API
// token is ever permitted; the hostile-input test starts from the same form.
type authCase struct {
	path    string // {release}, {item}, {custom}, {user}, {tpl} are filled from the fixture
	form    url.Values
	ok      int
	allowed []string
}

var everyone = []string{"po", "eng", "qa", "ops", "support", "rm", "admin"}

// authTable holds every route behind a session. Every route of the server is
// in exactly one of authTable, apiAuthTable (api_test.go) and publicTable:
// adding one without an entry fails TestAuthorizationTableIsComplete.
var authTable = map[string]authCase{
	"POST /logout":           {"/logout", nil, http.StatusSeeOther, everyone},
	"GET /profile":           {"/profile", nil, http.StatusOK, everyone},
	"POST /profile/password": {"/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}}, http.StatusOK, everyone},
	"GET /":                  {"/", nil, http.StatusOK, everyone},
	"GET /releases/new":      {"/releases/new", nil, http.StatusOK, []string{"po", "rm"}},
	"POST /releases": {"/releases", url.Values{"product": {"authz"}, "version": {"new-{release}"}, "title": {"Created"}},
		http.StatusSeeOther, []string{"po", "rm"}},
	"GET /releases/:id":      {"/releases/{release}", nil, http.StatusOK, everyone},
	"GET /releases/:id/edit": {"/releases/{release}/edit", nil, http.StatusOK, []string{"po", "rm"}},
	"POST /releases/:id":     {"/releases/{release}", url.Values{"title": {"Renamed"}}, http.StatusSeeOther, []string{"po", "rm"}},
	// The item is owned by the QA lead: its owner and the release manager may work it.
	"POST /releases/:id/items/:item": {"/releases/{release}/items/{item}", url.Values{"status": {"done"}}, http.StatusSeeOther, []string{"qa", "rm"}},
	"POST /releases/:id/items": {"/releases/{release}/items", url.Values{"phase": {"readiness"}, "pillar": {"business"},
		"title": {"Legal sign-off"}, "owner_role": {"product-owner"}, "required": {"1"}}, http.StatusSeeOther, []string{"rm"}},
	"POST /releases/:id/items/:item/delete": {"/releases/{release}/items/{custom}/delete", nil, http.StatusSeeOther, []string{"rm"}},
	"GET /defects":                          {"/defects", nil, http.StatusOK, everyone},
	"POST /releases/:id/defects": {"/releases/{release}/defects", url.Values{"title": {"Crash on start"}, "severity": {"critical"}},
		http.StatusSeeOther, []string{"qa", "rm"}},
	"POST /releases/:id/defects/paste": {"/releases/{release}/defects/paste", url.Values{"text": {"minor | Typo"}},
		http.StatusOK, []string{"qa", "rm"}},
	"POST /releases/:id/defects/import": {"/releases/{release}/defects/import", url.Values{"text": {"minor | Typo"}},
		http.StatusSeeOther, []string{"qa", "rm"}},
	"POST /releases/:id/defects/:defect": {"/releases/{release}/defects/{defect}", url.Values{"title": {"Renamed"}, "severity": {"minor"}},
		http.StatusSeeOther, []string{"qa", "rm"}},
	// Engineering leads may mark a defect fixed; QA and the release manager may too.
	"POST /releases/:id/defects/:defect/status": {"/releases/{release}/defects/{defect}/status", url.Values{"status": {"fixed"}},
		http.StatusSeeOther, []string{"qa", "rm", "eng"}},
	// A person signs only for a role they hold: here the QA lead's.
	"POST /releases/:id/votes": {"/releases/{release}/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}},
		http.StatusSeeOther, []string{"qa"}},
	"POST /releases/:id/roles/:role": {"/releases/{release}/roles/support-lead", url.Values{"required": {"0"}, "reason": {"internal change"}},
		http.StatusSeeOther, []string{"rm"}},
	"POST /releases/:id/decisions": {"/releases/{release}/decisions", url.Values{"outcome": {"no-go"}, "rationale": {"not ready"}, "confirm": {"1"}},
		http.StatusSeeOther, []string{"rm"}},
	"GET /releases/:id/decisions/:n": {"/releases/{decided}/decisions/1", nil, http.StatusOK, everyone},
	// A post-release review: the form or the record, for everyone; the
	// fixture's release is a draft, so the release manager, who may record
	// it, is refused as too early (409).
	"GET /releases/:id/post-release-review":    {"/releases/{release}/post-release-review", nil, http.StatusOK, everyone},
	"GET /releases/:id/post-release-review.md": {"/releases/{release}/post-release-review.md", nil, http.StatusNotFound, everyone},
	"POST /releases/:id/post-release-review": {"/releases/{release}/post-release-review", url.Values{"outcome": {"clean"},
		"summary": {"Nothing to report."}, "confirm": {"1"}}, http.StatusConflict, []string{"rm"}},
	// Cancelling is the release manager's; ops may only move a deploy along.
	"POST /releases/:id/transitions": {"/releases/{release}/transitions", url.Values{"transition": {"cancel"}, "confirm": {"1"}},
		http.StatusSeeOther, []string{"rm"}},
	// The pilot: the fixture's release is in review, where no pilot runs,
	// so the release manager reaches the domain and is refused (409); the
	// invitations of the fixture's release are none (404). TestPilot*
	// prove the rest.
	"POST /releases/:id/pilot": {"/releases/{release}/pilot", url.Values{"emails": {"tester@example.com"}},
		http.StatusConflict, []string{"rm"}},
	"POST /releases/:id/pilot/:invite/revoke": {"/releases/{release}/pilot/999999/revoke", url.Values{"confirm": {"1"}},
		http.StatusNotFound, []string{"rm"}},
	"POST /releases/:id/pilot/:invite/defect": {"/releases/{release}/pilot/999999/defect", nil,
		http.StatusNotFound, []string{"qa", "rm"}},
	// Ops and the release manager promote a staged rollout; the fixture
	// has no stages, so the domain refuses them with 409 on the page.
	"POST /releases/:id/stages/next": {"/releases/{release}/stages/next", url.Values{"confirm": {"1"}}, http.StatusConflict, []string{"ops", "rm"}},
	"POST /releases/:id/window": {"/releases/{release}/window", url.Values{"window_start": {"2099-03-01T20:00"}, "window_end": {"2099-03-01T22:00"}},
		http.StatusSeeOther, []string{"rm"}},
	"GET /calendar":            {"/calendar", nil, http.StatusOK, everyone},
	"GET /insights":            {"/insights?product=authz", nil, http.StatusOK, everyone},
	"GET /freezes":             {"/freezes", nil, http.StatusOK, everyone},
	"POST /freezes":            {"/freezes", url.Values{"name": {"Sale {release}"}, "kind": {"once"}, "start": {"2099-11-27T00:00"}, "end": {"2099-11-30T06:00"}, "products": {"authz"}}, http.StatusSeeOther, []string{"rm", "admin"}},
	"POST /freezes/:id/delete": {"/freezes/{freeze}/delete", nil, http.StatusSeeOther, []string{"rm", "admin"}},
	"GET /admin/settings":      {"/admin/settings", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/settings":     {"/admin/settings", url.Values{"zone": {"Europe/Berlin"}}, http.StatusSeeOther, []string{"admin"}},

	// Feeds: a signed-in browser, or a feed reader with a person's feed
	// token (the matrix's token:feed column; see feedRoutes).
	"GET /calendar.ics":               {"/calendar.ics", nil, http.StatusOK, everyone},
	"POST /profile/feed-token":        {"/profile/feed-token", nil, http.StatusOK, everyone},
	"POST /profile/feed-token/delete": {"/profile/feed-token/delete", url.Values{"confirm": {"1"}}, http.StatusSeeOther, everyone},
	// Deputies: anyone signed in reaches the domain, which judges the role
	// (here, a deputy who is nobody: 422) and who may end one (here, none
	// that exists: 404); TestAuthorizationMatrixDeputies and
	// TestEndingADeputyshipEarly prove the rest.
	"POST /profile/deputies": {"/profile/deputies", url.Values{"role": {"ops"}, "deputy": {"999999"},
		"from": {"2026-12-01T09:00"}, "until": {"2026-12-08T09:00"}}, http.StatusUnprocessableEntity, everyone},
	"POST /profile/deputies/:id/end":                 {"/profile/deputies/999999/end", nil, http.StatusNotFound, everyone},
	"POST /admin/users/:id/deputies/:deputyship/end": {"/admin/users/{user}/deputies/999999/end", nil, http.StatusNotFound, []string{"admin"}},
	// The inbox: each person's own; another's notification, or none, is
	// not found (TestMarkingReadOneAndAll).
	"GET /inbox":                  {"/inbox", nil, http.StatusOK, everyone},
	"POST /inbox/:id/read":        {"/inbox/999999/read", nil, http.StatusNotFound, everyone},
	"POST /inbox/read-all":        {"/inbox/read-all", nil, http.StatusSeeOther, everyone},
	"POST /profile/notifications": {"/profile/notifications", url.Values{"review": {"inbox"}}, http.StatusSeeOther, everyone},
	"POST /profile/digest":        {"/profile/digest", url.Values{"digest_hour": {"8"}}, http.StatusSeeOther, everyone},

	// Release notes: everyone signed in reads them (anyone, with public notes
	// on: TestPublicNotes); product owners and release managers write them.
	"GET /notes":                       {"/notes", nil, http.StatusOK, everyone},
	"GET /notes.atom":                  {"/notes.atom", nil, http.StatusOK, everyone},
	"GET /notes/:product":              {"/notes/authz", nil, http.StatusOK, everyone},
	"GET /notes/:product/:version":     {"/notes/authz/{version}", nil, http.StatusOK, everyone},
	"GET /notes/:product/changes":      {"/notes/authz/changes", nil, http.StatusOK, everyone},
	"GET /notes/:product/changes.md":   {"/notes/authz/changes.md", nil, http.StatusNotFound, everyone},
	"GET /releases/:id/notes":          {"/releases/{release}/notes", nil, http.StatusOK, []string{"po", "rm"}},
	"POST /releases/:id/notes":         {"/releases/{release}/notes", notesForm, http.StatusSeeOther, []string{"po", "rm"}},
	"POST /releases/:id/notes/preview": {"/releases/{release}/notes/preview", notesForm, http.StatusOK, []string{"po", "rm"}},
	"POST /releases/:id/notes/publish": {"/releases/{release}/notes/publish", notesForm, http.StatusSeeOther, []string{"po", "rm"}},
	// The backfill of the fixtures' product's GitHub tracker: a preview.
	"GET /products/:key/trackers/:kind/import": {"/products/authz/trackers/github/import", nil, http.StatusOK, []string{"qa", "rm"}},
	"POST /products/:key/trackers/:kind/import": {"/products/authz/trackers/github/import",
		url.Values{"csv": {"Title,Number,Milestone,Labels\nA crash,7,{version},bug\n"}}, http.StatusOK, []string{"qa", "rm"}},
	"POST /releases/:id/notes/fill": {"/releases/{release}/notes/fill", notesForm, http.StatusOK, []string{"po", "rm"}},
	// Known issues: everyone reads them; the QA and support leads reach the
	// store with a workaround (here for none that exists: 404), others are
	// refused first (TestWorkaroundBySupportLead proves a real one).
	"GET /releases/:id/known-issues": {"/releases/{release}/known-issues", nil, http.StatusOK, everyone},
	"POST /releases/:id/known-issues/:kid": {"/releases/{release}/known-issues/999999", url.Values{"workaround": {"Retry."}},
		http.StatusNotFound, []string{"qa", "support"}},
	"POST /releases/:id/comments": {"/releases/{release}/comments", url.Values{"body": {"Looks good"}}, http.StatusSeeOther, everyone},
	// Only its author may change a comment: here the release manager's.
	"POST /releases/:id/comments/:comment": {"/releases/{release}/comments/{comment}", url.Values{"body": {"Edited"}}, http.StatusSeeOther, []string{"rm"}},
	"POST /releases/:id/nudge":             {"/releases/{release}/nudge", url.Values{"role": {"qa-lead"}}, http.StatusSeeOther, []string{"rm"}},
	"GET /releases/:id/meeting":            {"/releases/{release}/meeting", nil, http.StatusOK, everyone},
	"POST /releases/:id/meeting":           {"/releases/{release}/meeting", meetingForm, http.StatusSeeOther, []string{"rm"}},
	"POST /releases/:id/meeting/cancel":    {"/releases/{release}/meeting/cancel", nil, http.StatusSeeOther, []string{"rm"}},
	"GET /releases/:id/meeting.ics":        {"/releases/{release}/meeting.ics", nil, http.StatusOK, everyone},
	"GET /releases/:id/card":               {"/releases/{release}/card", nil, http.StatusOK, everyone},
	"GET /releases/:id/sync":               {"/releases/{release}/sync?kind=vote", nil, http.StatusOK, everyone},
	"GET /admin":                           {"/admin", nil, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/users":                     {"/admin/users", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/users": {"/admin/users", url.Values{"name": {"New Person"}, "email": {"new-{release}@example.com"},
		"password": {"a long enough password"}, "roles": {"ops"}}, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/users/:id":           {"/admin/users/{user}", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/users/:id":          {"/admin/users/{user}", url.Values{"name": {"Renamed"}, "roles": {"qa-lead"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/users/:id/status":   {"/admin/users/{user}/status", url.Values{"disabled": {"1"}, "confirm": {"1"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/users/:id/password": {"/admin/users/{user}/password", url.Values{"password": {"another long password"}}, http.StatusSeeOther, []string{"admin"}},
	"GET /products/:key":             {"/products/authz", nil, http.StatusOK, everyone},
	"POST /products/:key/policy/:kind": {"/products/{product}/policy/hotfix", url.Values{"roles": {"qa-lead", "ops", "release-manager"},
		"min_voters": {"2"}, "template": {"hotfix"}, "review_days": {"3"}}, http.StatusSeeOther, []string{"admin"}},
	// A product's trackers: everyone reads them; admins and the product's
	// QA lead change them (the matrix keeps a GitHub tracker connected to
	// authz for the cells that renew its secret or disconnect it).
	"GET /products/:key/trackers": {"/products/authz/trackers", nil, http.StatusOK, everyone},
	"POST /products/:key/trackers/:kind": {"/products/authz/trackers/github", url.Values{"project": {"acme/authz"},
		"release_by": {"milestone"}, "sev-0-match": {"blocker"}, "sev-0-severity": {"blocker"}}, http.StatusSeeOther, []string{"qa", "admin"}},
	"POST /products/:key/trackers/:kind/secret": {"/products/authz/trackers/github/secret", url.Values{"confirm": {"1"}},
		http.StatusSeeOther, []string{"qa", "admin"}},
	"POST /products/:key/trackers/:kind/delete": {"/products/authz/trackers/github/delete", url.Values{"confirm": {"1"}},
		http.StatusSeeOther, []string{"qa", "admin"}},
	// A product's rollout stages: admins set them on the product's page.
	"POST /products/:key/rollout": {"/products/authz/rollout", url.Values{"stage-0-name": {"canary"}, "stage-0-soak": {"30"}, "stage-0-items": {"Error rate under 1%"}},
		http.StatusSeeOther, []string{"admin"}},
	"GET /admin/products": {"/admin/products", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/products": {"/admin/products", url.Values{"key": {"new-{release}"}, "name": {"New product"}},
		http.StatusSeeOther, []string{"admin"}},
	"GET /admin/products/:key":          {"/admin/products/{product}", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/products/:key":         {"/admin/products/{product}", url.Values{"name": {"Renamed"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/products/:key/archive": {"/admin/products/{product}/archive", url.Values{"archived": {"1"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/products/:key/reminders": {"/admin/products/{product}/reminders", url.Values{"remind_after_open": {"12"}},
		http.StatusSeeOther, []string{"admin"}},
	"GET /admin/template": {"/admin/template", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/template/customize": {"/admin/template/customize", url.Values{"product": {"{product}"}},
		http.StatusSeeOther, []string{"admin"}},
	"POST /admin/template/revert": {"/admin/template/revert", url.Values{"product": {"{own}"}, "confirm": {"1"}},
		http.StatusSeeOther, []string{"admin"}},
	"POST /admin/template": {"/admin/template", url.Values{"phase": {"rollback"}, "title": {"Feature flag off switch {release}"},
		"owner_role": {"ops"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/template/:id": {"/admin/template/{tpl}", url.Values{"phase": {"rollback"}, "title": {"Renamed item"},
		"owner_role": {"ops"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/template/:id/move":   {"/admin/template/{tpl}/move", url.Values{"delta": {"-1"}}, http.StatusSeeOther, []string{"admin"}},
	"POST /admin/template/:id/delete": {"/admin/template/{tpl}/delete", nil, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/audit":                {"/admin/audit", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/audit/checkpoint":    {"/admin/audit/checkpoint", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/audit/verify":        {"/admin/audit/verify", url.Values{"checkpoint": {"{checkpoint}"}}, http.StatusOK, []string{"admin"}},
	"GET /admin/tokens":               {"/admin/tokens", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/tokens":              {"/admin/tokens", url.Values{"name": {"ci-{release}"}}, http.StatusCreated, []string{"admin"}},
	"POST /admin/tokens/:id/revoke":   {"/admin/tokens/{token}/revoke", url.Values{"confirm": {"1"}}, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/webhooks":             {"/admin/webhooks", nil, http.StatusOK, []string{"admin"}},
	// Webhooks point at a receiver that answers at once, so deliveries
	// neither pile up nor retry while the matrix runs.
	"POST /admin/webhooks": {"/admin/webhooks", url.Values{"url": {"{sink}"}, "secret": {"a long enough secret"},
		"topics": {"window.changed"}}, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/webhooks/:id":         {"/admin/webhooks/{webhook}", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/webhooks/:id/delete": {"/admin/webhooks/{webhook}/delete", url.Values{"confirm": {"1"}}, http.StatusSeeOther, []string{"admin"}},
	"GET /admin/backup":               {"/admin/backup", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/backup":              {"/admin/backup", nil, http.StatusOK, []string{"admin"}},
	"GET /admin/sign-in":              {"/admin/sign-in", nil, http.StatusOK, []string{"admin"}},
	"POST /admin/sign-in/mappings": {"/admin/sign-in/mappings", url.Values{"group": {"authz-{release}"}, "role": {"ops"}},
		http.StatusSeeOther, []string{"admin"}},
	// Removing a mapping that is gone already is no error: it is gone.
	"POST /admin/sign-in/mappings/:id/delete": {"/admin/sign-in/mappings/999999/delete", nil, http.StatusSeeOther, []string{"admin"}},
	// Streams never end: the matrix reads only their status (see streamRoutes).
	"GET /events": {"/events?scope=board", nil, http.StatusOK, everyone},

	// Freeze exceptions. A freeze's page lists them (freeze2 is never removed).
	// Anyone who must sign off asks for one: every role (none is waived),
	// never an admin as such.
	"GET /freezes/:id": {"/freezes/{freeze2}", nil, http.StatusOK, everyone},
	"POST /releases/:id/exceptions": {"/releases/{frozen}/exceptions", url.Values{"freeze": {"{freeze}"}, "reason": {"a fix"}, "until": {"2099-01-01T12:00"}},
		http.StatusSeeOther, []string{"po", "eng", "qa", "ops", "support", "rm"}},
	// Anyone with a role for the product approves, and admins
	// (productRoleRoutes); the pending exception was asked for by someone
	// else.
	"POST /releases/:id/exceptions/:exception/approve": {"/releases/{frozen}/exceptions/{exception}/approve", url.Values{"comment": {"fine"}},
		http.StatusSeeOther, everyone},
	// Nobody approved it yet: only an admin revokes it.
	"POST /releases/:id/exceptions/:exception/revoke": {"/releases/{frozen}/exceptions/{exception}/revoke", url.Values{"reason": {"no"}, "confirm": {"1"}},
		http.StatusSeeOther, []string{"admin"}},
}

// streamRoutes never end, so the matrix reads their status and hangs up;
// live_test.go checks what they send.
var streamRoutes = []string{"GET /events"}

// publicCase is a route that needs no sign-in: what someone signed out (or
// holding only an API token) gets, and what someone signed in gets.
type publicCase struct {
	path          string
	form          url.Values
	anon, session int
}

// publicTable holds the routes that need no sign-in. The board already has
// users, so /setup is closed; signing in is answered with the board.
var publicTable = map[string]publicCase{
	"GET /static/*": {static.Path("css/app.css"), nil, http.StatusOK, http.StatusOK},
	"GET /setup":    {"/setup", nil, http.StatusSeeOther, http.StatusSeeOther},
	"POST /setup": {"/setup", url.Values{"name": {"Late Admin"}, "email": {"late@example.com"}, "password": {"a long enough password"}},
		http.StatusConflict, http.StatusConflict},
	"GET /login":               {"/login", nil, http.StatusOK, http.StatusSeeOther},
	"POST /login":              {"/login", url.Values{"email": {"login@example.com"}, "password": {testPassword}}, http.StatusSeeOther, http.StatusSeeOther},
	"GET /api/v1/openapi.json": {"/api/v1/openapi.json", nil, http.StatusOK, http.StatusOK},
	// Sign-in through an OpenID provider: none is configured here (see oidc_test.go).
	"GET /auth/login":    {"/auth/login", nil, http.StatusNotFound, http.StatusNotFound},
	"GET /auth/callback": {"/auth/callback", nil, http.StatusNotFound, http.StatusNotFound},
	// Probes: the test clients call from loopback, where metrics are served.
	"GET /healthz": {"/healthz", nil, http.StatusOK, http.StatusOK},
	"GET /metrics": {"/metrics", nil, http.StatusOK, http.StatusOK},
	// A pilot link: its secret is its authority; one never made opens nothing.
	"GET /pilot/:token":  {"/pilot/gnp_unknown", nil, http.StatusNotFound, http.StatusNotFound},
	"POST /pilot/:token": {"/pilot/gnp_unknown", url.Values{"answer": {"works"}}, http.StatusNotFound, http.StatusNotFound},
}

// publicNotesRoutes need no sign-in when public notes are on; the matrix
// runs with them off (TestPublicNotes runs them on).
var publicNotesRoutes = []string{"GET /notes", "GET /notes.atom", "GET /notes/:product", "GET /notes/:product/:version",
	"GET /notes/:product/changes", "GET /notes/:product/changes.md"}

// feedRoutes answer feeds at addresses ending .atom or .ics (and, for
// /notes/:product, pages at the others). At a feed address a person's feed
// token stands for them, and a caller without one gets a 401 in plain
// text, never the sign-in page; the token opens nothing else.
var feedRoutes = []string{"GET /notes.atom", "GET /notes/:product", "GET /calendar.ics"}

func (s *testServer) newFixture(t *testing.T, n int) fixture {
	t.Helper()
	ctx := t.Context()
	rel := s.mustCreateRelease(t, "authz", fmt.Sprintf("1.0.%d", n))
	s.move(t, rel.ID, gonogo.OpenReview)
	decided := s.mustCreateRelease(t, "authz", fmt.Sprintf("0.9.%d", n))
	s.move(t, decided.ID, gonogo.OpenReview)
	s.decide(t, decided.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "not yet"})
	custom, err := s.store.AddItem(ctx, gonogo.SystemActor, rel.ID, gonogo.ItemInput{
		Phase: gonogo.Readiness, Pillar: gonogo.Business, Title: "Custom check", OwnerRole: gonogo.Ops,
	})
	if err != nil {
		t.Fatal(err)
	}
	defects, err := s.store.CreateDefects(ctx, gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "Slow page", Severity: gonogo.Major}})
	if err != nil {
		t.Fatal(err)
	}
	freeze, err := s.store.CreateFreeze(ctx, s.rmActor(), gonogo.FreezeInput{Name: fmt.Sprintf("Freeze %d", n), Products: []string{"authz"},
		Once: gonogo.Window{Start: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2099, 1, 2, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	frozen, exception, freeze2 := s.exceptionFixture(t, n)
	s.publishNotes(t, rel.ID)
	tracker := gonogo.NewTracker("authz", gonogo.GitHub) // for the backfill's routes; saved again, it stays one
	tracker.Project, tracker.Secret = "acme/authz", "a-secret-of-sixteen-or-more"
	if _, err := s.store.SaveTracker(ctx, s.actorOf("admin"), tracker); err != nil {
		t.Fatal(err)
	}
	rmActor := s.rmActor()
	if _, err := s.store.ScheduleMeeting(ctx, rmActor, rel.ID, gonogo.MeetingInput{Start: time.Now().AddDate(0, 0, 7).Truncate(time.Minute),
		Minutes: 30, Where: "Room 4"}); err != nil {
		t.Fatal(err)
	}
	cm, err := s.store.AddComment(ctx, rmActor, rel.ID, gonogo.CommentInput{Body: "Kick-off"})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := s.store.FindTemplate(ctx)
	if err != nil || len(tpl) < 2 {
		t.Fatalf("template: %v", err)
	}
	product, err := s.store.CreateProduct(ctx, s.actorOf("admin"), gonogo.ProductInput{Key: fmt.Sprintf("fixture-%d", n), Name: "Fixture"})
	if err != nil {
		t.Fatal(err)
	}
	own, err := s.store.CreateProduct(ctx, s.actorOf("admin"), gonogo.ProductInput{Key: fmt.Sprintf("own-%d", n), Name: "Own"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.CustomizeTemplate(ctx, s.actorOf("admin"), own.Key); err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.store.CreateToken(ctx, s.actorOf("admin"), gonogo.TokenInput{Name: fmt.Sprintf("fixture-%d", n)})
	if err != nil {
		t.Fatal(err)
	}
	// authz has GitHub connected, for the routes that renew its secret or
	// disconnect it (connecting again only changes its mapping).
	tr := gonogo.NewTracker("authz", gonogo.GitHub)
	tr.Project, tr.Secret = "acme/authz", "a-secret-of-sixteen-or-more"
	if _, err := s.store.SaveTracker(ctx, s.actorOf("admin"), tr); err != nil {
		t.Fatal(err)
	}
	cp, err := s.store.Checkpoint(ctx, s.actorOf("admin"), s.key, false)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{
		token:   tok.ID,
		release: rel,
		item:    s.mustItem(t, rel.ID, "Integration tests pass"),
		custom:  custom,
		defect:  defects[0],
		decided: decided.ID,
		freeze:  freeze,
		comment: cm.ID,
		user:    s.mustCreateUser(t, fmt.Sprintf("target%d", n), gonogo.RoleSet{gonogo.Ops}, false),
		tplItem: tpl[len(tpl)-1].ID,
		product: product.Key,
		own:     own.Key,

		checkpoint: cp.String(),

		frozen: frozen, exception: exception, freeze2: freeze2,
	}
}

func (f fixture) fill(s string) string {
	return strings.NewReplacer(
		"{release}", fmt.Sprint(f.release.ID),
		"{item}", fmt.Sprint(f.item.ID),
		"{custom}", fmt.Sprint(f.custom.ID),
		"{user}", fmt.Sprint(f.user.ID),
		"{tpl}", fmt.Sprint(f.tplItem),
		"{defect}", fmt.Sprint(f.defect),
		"{decided}", fmt.Sprint(f.decided),
		"{freeze}", fmt.Sprint(f.freeze),
		"{comment}", fmt.Sprint(f.comment),
		"{token}", fmt.Sprint(f.token),
		"{webhook}", fmt.Sprint(f.webhook),
		"{sink}", f.sink,
		"{version}", f.release.Version,
		"{product}", f.product,
		"{own}", f.own,
		"{checkpoint}", f.checkpoint,
		"{frozen}", fmt.Sprint(f.frozen),
		"{exception}", fmt.Sprint(f.exception),
		"{freeze2}", fmt.Sprint(f.freeze2),
	).Replace(s)
}

// exceptionFixture makes the fixture's frozen release: its window in the
// fixture's freeze and in a second one, over which a person of its own
// asked for an exception.
func (s *testServer) exceptionFixture(t *testing.T, n int) (int64, int64, int64) {
	t.Helper()
	ctx := t.Context()
	span := gonogo.Window{Start: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2099, 1, 2, 0, 0, 0, 0, time.UTC)}
	second, err := s.store.CreateFreeze(ctx, s.rmActor(), gonogo.FreezeInput{Name: fmt.Sprintf("Second freeze %d", n), Products: []string{"authz"}, Once: span})
	if err != nil {
		t.Fatal(err)
	}
	rel := s.mustCreateRelease(t, "authz", fmt.Sprintf("3.0.%d", n))
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: span.Start.Add(10 * time.Hour), End: span.Start.Add(11 * time.Hour)})
	asker := s.mustCreateUser(t, fmt.Sprintf("asker%d", n), gonogo.RoleSet{gonogo.QALead}, false)
	id, err := s.store.RequestException(ctx, gonogo.Actor{UserID: asker.ID, Name: asker.Name, Roles: asker.Roles}, rel.ID,
		gonogo.ExceptionInput{FreezeID: second, Reason: "a fix", Until: span.Start.Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return rel.ID, id, second
}
