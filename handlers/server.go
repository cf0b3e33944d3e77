// Package handlers is gonogo's HTTP surface: Echo routes, middleware and the
// handlers that translate requests into calls on the store and the domain.
package handlers

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/live"
)

// Config is what the server needs to know about where it runs.
type Config struct {
	// BaseURL is the address people use to reach the board, e.g.
	// https://gonogo.example.com. An https URL makes cookies Secure.
	BaseURL string
	// Location is the team's time zone; times are shown in it.
	Location *time.Location
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	// Without any, the client address is the connection's.
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger
	// LoginDelay is the first pause after repeated failed sign-ins; it
	// doubles with each further failure. Tests shorten it.
	LoginDelay time.Duration
	// WebhookAllowPrivate lets admins register webhooks to loopback,
	// link-local and private addresses. The dispatcher must be told the same.
	WebhookAllowPrivate bool
	// PublicNotes lets anonymous readers see the customer-facing notes of
	// shipped releases and their feeds. Everything else needs a sign-in.
	PublicNotes bool
	// MetricsToken, if set, lets a client anywhere read /metrics by sending
	// it as a bearer token; without it only this machine may.
	MetricsToken string
	// Webhooks is the dispatcher whose delivery failures /metrics reports
	// (a webhook.Dispatcher, which cmd/web starts); nil reports none.
	Webhooks DeliveryFailures
	// Mail is the mail worker, for Admin → Email and /metrics (a
	// mail.Worker, which cmd/web starts); nil says mail is not configured.
	Mail MailOutbox
	// Heartbeat is how often an idle live stream is pinged and its session
	// looked at again (15 s unless set). Tests shorten it.
	Heartbeat time.Duration
	// StreamLimits caps the live streams; zero fields take the defaults
	// (live.DefaultLimits).
	StreamLimits live.Limits
	// CheckpointKey signs the audit trail's checkpoints; it is kept outside
	// the database (see package checkpoint). Without it there are none.
	CheckpointKey ed25519.PrivateKey
	// WriteRate and WriteBurst limit how fast one person, or one API token,
	// may change things: WriteBurst changes at once, then WriteRate a
	// second (see ratelimit.go). Zero takes the defaults; rate.Inf turns
	// the limit off, for load tests. Tests make them small.
	WriteRate  rate.Limit
	WriteBurst int
	// MaxInFlight bounds the requests worked on at once, and MaxWaiting
	// those waiting their turn, past which a request gets 503 (see
	// admission.go). Zero takes DefaultMaxInFlight, DefaultMaxWaiting.
	MaxInFlight, MaxWaiting int
	// SignIn says how people sign in: passwords, an OpenID provider, or
	// both (oidc.go). The zero value is passwords only.
	SignIn SignIn
}

// DeliveryFailures counts the webhook deliveries that failed: attempts,
// and deliveries given up after the last retry.
type DeliveryFailures interface {
	Failures() (attempts, gaveUp uint64)
}

// Handler serves the board.
type Handler struct {
	store      *db.Store
	cfg        Config
	log        *slog.Logger
	e          *echo.Echo
	sessions   *sqliteStore
	throttle   *throttle
	hashes     *hashGate // bounds the bcrypt work done at once
	writes     *writeLimiter
	pilotLimit *writeLimiter // answers through each pilot link (pilot.go)
	admission  *admission
	hasUsers   atomic.Bool
	teamCache  atomic.Pointer[gonogo.TeamSettings]
	streams    *live.Broker
	metrics    *metrics
	boards     db.Cache[boardEntry] // rendered boards, until the next commit
	renders    db.Cache[rendered]   // calendars and feeds, until the next commit (feedcache.go)
	noteLists  db.Cache[rendered]   // the notes list and its searches, likewise
	builds     buildCounts
	// liveRenders are what the live pages are sent, rendered once.
	liveRenders liveRenders
	// tokenTouches lets one request a minute record a token's use.
	tokenTouches touchGuard
	openAPI      []byte        // the API's description, naming this board (openapi.go)
	auditViews   chan struct{} // one audit page built at a time (audit.go)
	oidc         *oidcClient   // nil unless an OpenID provider is configured
}

// New builds the server around store.
func New(store *db.Store, cfg Config) *Handler {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if store.DefaultZone == nil {
		store.DefaultZone = cfg.Location
	}
	if cfg.LoginDelay == 0 {
		cfg.LoginDelay = 500 * time.Millisecond
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = defaultHeartbeat
	}
	h := &Handler{
		store:      store,
		cfg:        cfg,
		log:        cfg.Logger,
		sessions:   newSessionStore(store, strings.HasPrefix(cfg.BaseURL, "https://")),
		throttle:   newThrottle(cfg.LoginDelay),
		hashes:     newHashGate(hashSlots),
		writes:     newWriteLimiter(cfg.WriteRate, cfg.WriteBurst),
		pilotLimit: newPilotLimiter(),
		admission:  newAdmission(cfg.MaxInFlight, cfg.MaxWaiting),
		streams:    live.NewBroker(cfg.StreamLimits),
		openAPI:    openAPIFor(cfg.BaseURL),
		auditViews: make(chan struct{}, 1),
	}
	if cfg.SignIn.Issuer != "" {
		h.oidc = newOIDCClient(cfg.SignIn, cfg.BaseURL, func() time.Time { return store.Now() })
	}
	h.boards.Max = 64     // a board per filter and time zone in use
	h.renders.Max = 128   // a calendar per month, view and product; a feed per product
	h.noteLists.Max = 256 // searches as they are typed
	store.Listen(h.streams.Publish)
	h.metrics = newMetrics(h)
	h.e = h.echo()
	return h
}

// ServeHTTP makes the Handler an http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.e.ServeHTTP(w, r) }

// CloseStreams ends every live stream, so that a graceful shutdown need not
// wait for browsers to hang up. Pages reconnect to the next server.
func (h *Handler) CloseStreams() { h.streams.Close() }

// Cleanup removes expired sessions; cmd/web runs it now and then.
func (h *Handler) Cleanup(ctx context.Context) {
	now := h.store.Now()
	h.sessions.touches.forget(now)
	h.tokenTouches.forget(now)
	n, err := h.store.DeleteExpiredSessions(ctx, now.Add(-sessionIdle), now.Add(-sessionAbsolute))
	if err != nil {
		h.log.Error("delete expired sessions", "err", err)
	} else if n > 0 {
		h.log.Info("deleted expired sessions", "count", n)
	}
}

func (h *Handler) echo() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.handleError
	if len(h.cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range h.cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Pre(routeHeadAsGet)
	e.Use(keepHead) // first after routing: see routing.go
	h.middleware(e)
	for _, rt := range h.routes() {
		e.Add(rt.Method, rt.Path, rt.Handler, decodePath, h.require(rt.Access), h.limitWrites)
	}
	return e
}
