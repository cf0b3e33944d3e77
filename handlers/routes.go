package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/static"
)

// access is who may use a route. The roles come from the domain's one table
// of who may do what (gonogo.RolesFor); finer rules (the owner of an item,
// the state of a release) are the domain's too, checked by its actions.
type access struct {
	public bool
	admin  bool
	roles  []gonogo.Role // any one of them; none means any signed-in user
	// orAdmin lets admins in beside the roles.
	orAdmin bool
	token   bool // an API token, never a session; limits to a product are checked per release
	// publicNotes opens the route to anonymous readers when public notes
	// are on (Config.PublicNotes); otherwise it needs a sign-in like any.
	publicNotes bool
	// feed marks a route that answers feeds at addresses ending .atom or
	// .ics, which feed readers and calendar apps read without signing in.
	// There, and only there, a person's feed token in ?token= stands for
	// them, and a request without a session or a valid token gets a 401 in
	// plain text (requireFeed), never the sign-in page.
	feed bool
}

var (
	public   = access{public: true}
	signedIn = access{}
	admin    = access{admin: true}
	// anyRole: every role signs for itself and owns checklist items.
	anyRole = access{roles: gonogo.RolesFor(gonogo.ActSign)}
	// pipeline is a CI job holding an API token. It acts with the Ops role
	// (see gonogo.Token.Actor) and, if its token is limited to a product,
	// only on that product's releases.
	pipeline = access{token: true}
	// readers read published release notes: anyone signed in and, when
	// public notes are on, anyone at all, who then sees only what shipped.
	readers = access{publicNotes: true}
	// feedReaders read release notes feeds: as readers do, or with a
	// person's feed token, who then reads what that person reads.
	feedReaders = access{publicNotes: true, feed: true}
	// subscribers read the calendar feed: anyone signed in, or a calendar
	// app with a person's feed token.
	subscribers = access{feed: true}
)

// may is who may take act on some release, as the domain says: the roles
// that may, and admins where they may too.
func may(act gonogo.Act) access {
	return access{roles: gonogo.RolesFor(act), orAdmin: gonogo.AdminMay(act)}
}

type route struct {
	Method  string
	Path    string
	Handler echo.HandlerFunc
	Access  access
}

// routes is the table of contents of the server: every route, its handler
// and who may use it.
func (h *Handler) routes() []route {
	return []route{
		{http.MethodGet, static.Prefix + "*", echo.WrapHandler(static.Handler()), public},

		// Accounts
		{http.MethodGet, "/setup", h.showSetup, public},
		{http.MethodPost, "/setup", h.setup, public},
		{http.MethodGet, "/login", h.showLogin, public},
		{http.MethodPost, "/login", h.login, public},
		{http.MethodPost, "/logout", h.logout, signedIn},
		// Sign-in through the company's OpenID provider (oidc.go): not
		// found unless one is configured.
		{http.MethodGet, signInPath, h.startSignIn, public},
		{http.MethodGet, callbackPath, h.finishSignIn, public},
		{http.MethodGet, "/profile", h.showProfile, signedIn},
		{http.MethodPost, "/profile/password", h.changePassword, signedIn},
		{http.MethodPost, "/profile/feed-token", h.newFeedToken, signedIn},
		{http.MethodPost, "/profile/feed-token/delete", h.revokeFeedToken, signedIn},
		// Deputies (deputies.go): a person names one for a role they hold;
		// the domain checks the role, and who may end one.
		{http.MethodPost, "/profile/deputies", h.nameDeputy, signedIn},
		{http.MethodPost, "/profile/deputies/:id/end", h.endDeputyship, signedIn},
		// The inbox (inbox.go): each person's own notifications, and what
		// they choose to hear about.
		{http.MethodGet, "/inbox", h.showInbox, signedIn},
		{http.MethodPost, "/inbox/:id/read", h.markRead, signedIn},
		{http.MethodPost, "/inbox/read-all", h.markAllRead, signedIn},
		{http.MethodPost, "/profile/notifications", h.saveNotificationPrefs, signedIn},
		{http.MethodPost, "/profile/digest", h.saveDigest, signedIn},
		// Unsubscribe links of messages (mail.go): the signed link stands
		// for its person, so they need no sign-in; a GET only asks.
		{http.MethodGet, "/unsubscribe/:user/:kind/:sig", h.showUnsubscribe, public},
		{http.MethodPost, "/unsubscribe/:user/:kind/:sig", h.unsubscribe, public},

		// The board and releases
		{http.MethodGet, "/", h.showBoard, signedIn},
		{http.MethodGet, "/releases/new", h.newRelease, may(gonogo.ActCreateRelease)},
		{http.MethodPost, "/releases", h.createRelease, may(gonogo.ActCreateRelease)},
		{http.MethodGet, "/releases/:id", h.showRelease, signedIn},
		{http.MethodGet, "/products/:key", h.showProduct, signedIn},
		{http.MethodPost, "/products/:key/policy/:kind", h.setPolicy, admin},
		// Insights (insights.go): what the history says, for everyone
		// signed in; its tables also as CSV.
		{http.MethodGet, "/insights", h.showInsights, signedIn},
		// The backfill of a product's tracker: whoever may edit its
		// defects (checked for the product by the handler).
		{http.MethodGet, "/products/:key/trackers/:kind/import", h.showTrackerImport, may(gonogo.ActEditDefects)},
		{http.MethodPost, "/products/:key/trackers/:kind/import", h.importTrackerExport, may(gonogo.ActEditDefects)},
		// A product's trackers (trackers.go): everyone signed in reads the
		// mapping; admins and the product's QA lead change it, as the domain
		// decides for each product.
		{http.MethodGet, "/products/:key/trackers", h.showTrackers, signedIn},
		{http.MethodPost, "/products/:key/rollout", h.saveRollout, admin}, // its rollout stages (rollout.go)
		{http.MethodPost, "/products/:key/trackers/:kind", h.saveTracker, may(gonogo.ActManageTrackers)},
		{http.MethodPost, "/products/:key/trackers/:kind/secret", h.newTrackerSecretFor, may(gonogo.ActManageTrackers)},
		{http.MethodPost, "/products/:key/trackers/:kind/delete", h.removeTracker, may(gonogo.ActManageTrackers)},
		{http.MethodGet, "/releases/:id/edit", h.editRelease, may(gonogo.ActEditRelease)},
		{http.MethodPost, "/releases/:id", h.updateRelease, may(gonogo.ActEditRelease)},

		// The checklist: the item's owner role or the release manager, as
		// the domain decides for each item.
		{http.MethodPost, "/releases/:id/items/:item", h.updateItem, anyRole},
		{http.MethodPost, "/releases/:id/items", h.addItem, may(gonogo.ActEditChecklist)},
		{http.MethodPost, "/releases/:id/items/:item/delete", h.removeItem, may(gonogo.ActEditChecklist)},

		// Defects: the QA lead and the release manager keep them; engineering
		// leads may mark one fixed, as the domain decides for each status.
		{http.MethodGet, "/defects", h.showDefects, signedIn},
		{http.MethodPost, "/releases/:id/defects", h.addDefect, may(gonogo.ActEditDefects)},
		{http.MethodPost, "/releases/:id/defects/paste", h.previewPaste, may(gonogo.ActEditDefects)},
		{http.MethodPost, "/releases/:id/defects/import", h.importPaste, may(gonogo.ActEditDefects)},
		{http.MethodPost, "/releases/:id/defects/:defect", h.updateDefect, may(gonogo.ActEditDefects)},
		{http.MethodPost, "/releases/:id/defects/:defect/status", h.setDefectStatus, may(gonogo.ActSetDefectStatus)},

		// The review: anyone signs for the roles they hold (the domain checks
		// which); the release manager decides and says which roles must sign;
		// the release manager and ops move the release along its life.
		{http.MethodPost, "/releases/:id/votes", h.castVote, anyRole},
		{http.MethodPost, "/releases/:id/roles/:role", h.setWaiver, may(gonogo.ActWaive)},
		{http.MethodPost, "/releases/:id/decisions", h.decide, may(gonogo.ActDecide)},
		{http.MethodPost, "/releases/:id/nudge", h.nudge, may(gonogo.ActNudge)},
		{http.MethodGet, "/releases/:id/meeting", h.showMeeting, signedIn},
		// The Go/No-Go meeting (meeting.go): who decides calls it.
		{http.MethodPost, "/releases/:id/meeting", h.scheduleMeeting, may(gonogo.ActDecide)},
		{http.MethodPost, "/releases/:id/meeting/cancel", h.cancelMeeting, may(gonogo.ActDecide)},
		{http.MethodGet, "/releases/:id/meeting.ics", h.meetingICS, signedIn},
		{http.MethodGet, "/releases/:id/decisions/:n", h.showDecision, signedIn},
		{http.MethodGet, "/releases/:id/post-release-review", h.showPostReview, signedIn},
		{http.MethodGet, "/releases/:id/post-release-review.md", h.showPostReviewMinutes, signedIn},
		{http.MethodPost, "/releases/:id/post-release-review", h.recordPostReview, may(gonogo.ActPostReview)},
		{http.MethodPost, "/releases/:id/transitions", h.transition, may(gonogo.ActTransition)},
		// The pilot (pilot.go): the release manager invites testers and
		// revokes their links; the QA lead or the release manager makes a
		// defect of a problem. A tester's link is their authority: the
		// secret in it, whose hash the store keeps, opens that release's
		// feedback form and nothing else.
		{http.MethodPost, "/releases/:id/pilot", h.invitePilot, may(gonogo.ActInvitePilot)},
		{http.MethodPost, "/releases/:id/pilot/:invite/revoke", h.revokePilot, may(gonogo.ActInvitePilot)},
		{http.MethodPost, "/releases/:id/pilot/:invite/defect", h.makePilotDefect, may(gonogo.ActPilotDefect)},
		{http.MethodGet, "/pilot/:token", h.showPilot, public},
		{http.MethodPost, "/pilot/:token", h.answerPilot, public},
		// A staged rollout (rollout.go): ops or the release manager promote.
		{http.MethodPost, "/releases/:id/stages/next", h.promote, may(gonogo.ActPromote)},

		// Windows, freezes and the calendar. Calendar apps cannot sign in:
		// the feed takes a person's feed token instead.
		{http.MethodPost, "/releases/:id/window", h.setWindow, may(gonogo.ActSchedule)},
		{http.MethodPost, "/releases/:id/exceptions", h.requestException, may(gonogo.ActRequestException)},
		{http.MethodPost, "/releases/:id/exceptions/:exception/approve", h.approveException, may(gonogo.ActApproveException)},
		{http.MethodPost, "/releases/:id/exceptions/:exception/revoke", h.revokeException, may(gonogo.ActRevokeException)},
		{http.MethodGet, "/calendar", h.showCalendar, signedIn},
		{http.MethodGet, "/calendar.ics", h.calendarFeed, subscribers},
		{http.MethodGet, "/freezes", h.showFreezes, signedIn},
		{http.MethodGet, "/freezes/:id", h.showFreeze, signedIn},
		{http.MethodPost, "/freezes", h.createFreeze, may(gonogo.ActManageFreezes)},
		{http.MethodPost, "/freezes/:id/delete", h.deleteFreeze, may(gonogo.ActManageFreezes)},
		{http.MethodGet, "/admin/settings", h.showSettings, admin},
		{http.MethodPost, "/admin/settings", h.saveSettings, admin},

		// The discussion: anyone signed in takes part; only a comment's
		// author changes it, as the domain decides.
		{http.MethodPost, "/releases/:id/comments", h.addComment, signedIn},
		{http.MethodPost, "/releases/:id/comments/:comment", h.editComment, signedIn},

		// Live updates: one server-sent event stream per page.
		{http.MethodGet, "/events", h.streamEvents, signedIn},
		{http.MethodGet, "/releases/:id/card", h.showCard, signedIn},
		{http.MethodGet, "/releases/:id/sync", h.syncRelease, signedIn},

		// Release notes: product owners and release managers write, preview
		// and publish them; readers read them. /notes/{product}.atom is
		// answered by the /notes/:product route: Echo cannot route a suffix.
		{http.MethodGet, "/notes", h.showNotesList, readers},
		{http.MethodGet, "/notes.atom", h.notesFeed, feedReaders},
		{http.MethodGet, "/notes/:product", h.showProductNotes, feedReaders},
		{http.MethodGet, "/notes/:product/changes", h.showChanges, readers},
		{http.MethodGet, "/notes/:product/changes.md", h.showChanges, readers},
		{http.MethodGet, "/notes/:product/:version", h.showNotes, readers},
		{http.MethodGet, "/releases/:id/notes", h.editNotes, may(gonogo.ActWriteNotes)},
		{http.MethodPost, "/releases/:id/notes", h.saveNotes, may(gonogo.ActWriteNotes)},
		{http.MethodPost, "/releases/:id/notes/preview", h.previewNotes, may(gonogo.ActWriteNotes)},
		{http.MethodPost, "/releases/:id/notes/publish", h.publishNotes, may(gonogo.ActWriteNotes)},
		{http.MethodPost, "/releases/:id/notes/fill", h.fillNotes, may(gonogo.ActWriteNotes)},
		// Known issues (knownissues.go): everyone signed in reads them; the
		// QA and support leads write their workarounds.
		{http.MethodGet, "/releases/:id/known-issues", h.showKnownIssues, signedIn},
		{http.MethodPost, "/releases/:id/known-issues/:kid", h.setWorkaround, may(gonogo.ActEditWorkaround)},

		// Administration
		{http.MethodGet, "/admin", h.showAdmin, admin},
		{http.MethodGet, "/admin/users", h.showUsers, admin},
		{http.MethodPost, "/admin/users", h.createUser, admin},
		{http.MethodGet, "/admin/users/:id", h.showUser, admin},
		{http.MethodPost, "/admin/users/:id", h.updateUser, admin},
		{http.MethodPost, "/admin/users/:id/status", h.setUserStatus, admin},
		{http.MethodPost, "/admin/users/:id/deputies/:deputyship/end", h.endPersonDeputyship, admin},
		{http.MethodPost, "/admin/users/:id/password", h.resetPassword, admin},
		{http.MethodGet, "/admin/products", h.showProducts, admin},
		{http.MethodPost, "/admin/products", h.createProduct, admin},
		{http.MethodGet, "/admin/products/:key", h.showProductAdmin, admin},
		{http.MethodPost, "/admin/products/:key", h.updateProduct, admin},
		{http.MethodPost, "/admin/products/:key/archive", h.archiveProduct, admin},
		{http.MethodPost, "/admin/products/:key/reminders", h.saveProductReminders, admin},
		// Alerts (alerts.go): the sources' secrets and labels; what a
		// product lets a critical alert do.
		{http.MethodGet, "/admin/alerts", h.showAlertSources, admin},
		{http.MethodPost, "/admin/alerts/:source", h.saveAlertLabels, admin},
		{http.MethodPost, "/admin/alerts/:source/secret", h.renewAlertSecret, admin},
		{http.MethodPost, "/admin/products/:key/alerts", h.saveProductAlerts, admin},
		// Sign-in: the provider as configured, and its groups mapped to roles.
		{http.MethodGet, "/admin/sign-in", h.showSignInAdmin, admin},
		{http.MethodPost, "/admin/sign-in/mappings", h.addGroupMapping, admin},
		{http.MethodPost, "/admin/sign-in/mappings/:id/delete", h.removeGroupMapping, admin},
		{http.MethodGet, "/admin/template", h.showTemplate, admin},
		{http.MethodPost, "/admin/template/customize", h.customizeTemplate, admin},
		{http.MethodPost, "/admin/template/revert", h.revertTemplate, admin},
		{http.MethodPost, "/admin/template", h.addTemplateItem, admin},
		{http.MethodPost, "/admin/template/:id", h.updateTemplateItem, admin},
		{http.MethodPost, "/admin/template/:id/move", h.moveTemplateItem, admin},
		{http.MethodPost, "/admin/template/:id/delete", h.removeTemplateItem, admin},
		{http.MethodGet, "/admin/audit", h.showAudit, admin},
		// Signing a checkpoint is audited, so it is a POST like a backup;
		// verifying one reads only, but takes a file.
		{http.MethodPost, "/admin/audit/checkpoint", h.downloadCheckpoint, admin},
		{http.MethodPost, "/admin/audit/verify", h.verifyCheckpoint, admin},
		{http.MethodGet, "/admin/tokens", h.showTokens, admin},
		{http.MethodPost, "/admin/tokens", h.createToken, admin},
		{http.MethodPost, "/admin/tokens/:id/revoke", h.revokeToken, admin},
		{http.MethodGet, "/admin/webhooks", h.showWebhooks, admin},
		{http.MethodPost, "/admin/webhooks", h.createWebhook, admin},
		{http.MethodGet, "/admin/webhooks/:id", h.showWebhook, admin},
		{http.MethodPost, "/admin/webhooks/:id/delete", h.deleteWebhook, admin},
		// Email (mail.go): the settings and the outbox; a failed message
		// may be sent again.
		{http.MethodGet, "/admin/email", h.showEmail, admin},
		{http.MethodPost, "/admin/email/:id/retry", h.retryMail, admin},
		// A backup is downloaded by a POST: it is audited, so it carries
		// the CSRF token like any change.
		{http.MethodGet, "/admin/backup", h.showBackup, admin},
		{http.MethodPost, "/admin/backup", h.downloadBackup, admin},

		// Probes for machines. Health is public and says only up or down;
		// metrics check their own rule (this machine, or the metrics token).
		{http.MethodGet, "/healthz", h.showHealth, public},
		{http.MethodGet, "/metrics", h.showMetrics, public},

		// Webhooks from the trackers (hooks.go): no session, no CSRF token;
		// each delivery is authorized by its signature alone.
		{http.MethodPost, "/hooks/github/:product", h.receiveGitHub, public},
		{http.MethodPost, "/hooks/gitlab/:product", h.receiveGitLab, public},
		{http.MethodPost, "/hooks/jira/:product", h.receiveJira, public},
		// Alerts (hooks_alerts.go): authorized by each source's bearer secret.
		{http.MethodPost, "/hooks/alertmanager", h.receiveAlertmanager, public},
		{http.MethodPost, "/hooks/grafana", h.receiveGrafana, public},

		// The JSON API for pipelines, authorized by token. Its description
		// is public: it holds nothing about the board.
		{http.MethodGet, "/api/v1/openapi.json", h.showOpenAPI, public},
		{http.MethodGet, "/api/v1/releases", h.listAPIReleases, pipeline},
		{http.MethodPost, "/api/v1/releases", h.createAPIRelease, pipeline},
		{http.MethodGet, "/api/v1/releases/:id/gate", h.showGateByID, pipeline},
		{http.MethodGet, "/api/v1/releases/:product/:version/gate", h.showGate, pipeline},
		{http.MethodGet, "/api/v1/releases/:id/stages/next/gate", h.showStageGateByID, pipeline},
		{http.MethodGet, "/api/v1/releases/:product/:version/stages/next/gate", h.showStageGate, pipeline},
		{http.MethodPost, "/api/v1/releases/:product/:version/checks/:key", h.reportCheck, pipeline},
		{http.MethodPost, "/api/v1/releases/:product/:version/events", h.reportEvent, pipeline},
		// What the board's history says (api_insights.go), for teams that
		// chart elsewhere: a token limited to a product asks for it alone.
		{http.MethodGet, "/api/v1/insights", h.showAPIInsights, pipeline},
	}
}

// Route describes one route for tests and documentation.
type Route struct {
	Method, Path string
	Public       bool
	PublicNotes  bool // public when public notes are on
	Admin        bool
	Roles        []gonogo.Role
	Token        bool // authorized by an API token
	Feed         bool // its feed addresses take a feed token
}

// Routes lists every route with its access rule, so a test can check that
// each one has an entry in the authorization table.
func (h *Handler) Routes() []Route {
	var out []Route
	for _, r := range h.routes() {
		out = append(out, Route{r.Method, r.Path, r.Access.public, r.Access.publicNotes, r.Access.admin, r.Access.roles, r.Access.token, r.Access.feed})
	}
	return out
}

// EchoRoutes lists what the router actually serves, to hold against Routes.
func (h *Handler) EchoRoutes() []Route {
	var out []Route
	for _, r := range h.e.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}
