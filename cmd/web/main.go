// Command gonogo serves the release board.
//
//	gonogo [flags]              serve the board
//	gonogo -demo [flags]        fill an empty database with a demo board, then serve
//	gonogo token create -name NAME [-product P] [-db FILE]
//	                            make an API token for a pipeline and print it
//	gonogo backup -o FILE [-db FILE]
//	                            write a consistent backup of the database
//	gonogo audit checkpoint [-o FILE] [-db FILE] [-audit-key FILE]
//	                            sign a checkpoint of the audit trail's head
//	gonogo audit verify -checkpoint FILE [-db FILE] [-audit-key FILE | -public-key KEY]
//	                            verify the audit trail against a checkpoint
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work on images without a zoneinfo database

	"golang.org/x/time/rate"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/mail"
	"github.com/gonogo/gonogo/remind"
	"github.com/gonogo/gonogo/seed"
	"github.com/gonogo/gonogo/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gonogo:", err)
		os.Exit(1)
	}
}

// config is the server's configuration: flags, each with an environment
// fallback, each with a default that runs on a laptop.
type config struct {
	addr           string
	dbPath         string
	baseURL        string
	timeZone       string
	trustedProxies string
	demo           bool
	demoPassword   string
	logFormat      string
	// webhookAllowPrivate lets webhooks reach loopback, link-local and
	// private addresses: off, so that whoever may register a webhook cannot
	// make the server call into its own network.
	webhookAllowPrivate bool
	publicNotes         bool
	// metricsToken lets a scraper elsewhere read /metrics; without it
	// only this machine may.
	metricsToken string
	// auditKey is the file of the key that signs the audit trail's
	// checkpoints; "" means beside the database.
	auditKey string
	// writeBurst and writeRate limit how fast one person or one API token
	// may change things (handlers.DefaultWriteBurst, DefaultWriteRate);
	// a rate of inf turns the limit off, for load tests.
	writeBurst int
	writeRate  float64
	// remindEvery is how often the reminders and digests look for what
	// is due.
	remindEvery time.Duration
	// signIn is how people sign in: passwords, an OpenID provider, or
	// both (signin.go).
	signIn handlers.SignIn
	// smtp is the mail server and sender (mail.Settings); without it the
	// outbox fills and nothing is sent.
	smtp mail.Settings
}

func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("gonogo", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", env("GONOGO_ADDR", "localhost:8080"), "address to listen on (GONOGO_ADDR)")
	fs.StringVar(&c.dbPath, "db", env("GONOGO_DB", "./data/gonogo.db"), "SQLite database file (GONOGO_DB)")
	fs.StringVar(&c.baseURL, "base-url", env("GONOGO_BASE_URL", ""), "URL people use to reach the board; https makes cookies Secure (GONOGO_BASE_URL)")
	fs.StringVar(&c.timeZone, "tz", env("GONOGO_TZ", "UTC"), "the team's time zone, e.g. Europe/Berlin (GONOGO_TZ)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("GONOGO_TRUSTED_PROXIES", ""), "comma-separated CIDRs whose X-Forwarded-For is trusted (GONOGO_TRUSTED_PROXIES)")
	fs.BoolVar(&c.demo, "demo", env("GONOGO_DEMO", "") == "true" || env("GONOGO_DEMO", "") == "1", "fill an empty database with a demo board and demo accounts (GONOGO_DEMO)")
	fs.StringVar(&c.demoPassword, "demo-password", env("GONOGO_DEMO_PASSWORD", "gonogo-demo"), "password of the demo accounts (GONOGO_DEMO_PASSWORD)")
	fs.StringVar(&c.logFormat, "log-format", env("GONOGO_LOG_FORMAT", "text"), "log format: text or json (GONOGO_LOG_FORMAT)")
	fs.BoolVar(&c.webhookAllowPrivate, "webhook-allow-private", isTrue(env("GONOGO_WEBHOOK_ALLOW_PRIVATE", "")),
		"let webhooks reach loopback, link-local and private addresses (GONOGO_WEBHOOK_ALLOW_PRIVATE)")
	fs.BoolVar(&c.publicNotes, "public-notes", env("GONOGO_PUBLIC_NOTES", "") == "true" || env("GONOGO_PUBLIC_NOTES", "") == "1",
		"let anonymous readers see the published notes of shipped releases and their feeds (GONOGO_PUBLIC_NOTES)")
	fs.StringVar(&c.metricsToken, "metrics-token", env("GONOGO_METRICS_TOKEN", ""),
		"bearer token that lets a scraper anywhere read /metrics; without it only this machine may (GONOGO_METRICS_TOKEN)")
	burst, err := strconv.Atoi(env("GONOGO_WRITE_BURST", strconv.Itoa(handlers.DefaultWriteBurst)))
	if err != nil {
		return c, fmt.Errorf("GONOGO_WRITE_BURST is not a whole number: %w", err)
	}
	perSecond, err := strconv.ParseFloat(env("GONOGO_WRITE_RATE", strconv.FormatFloat(float64(handlers.DefaultWriteRate), 'g', -1, 64)), 64)
	if err != nil {
		return c, fmt.Errorf("GONOGO_WRITE_RATE is not a number: %w", err)
	}
	fs.IntVar(&c.writeBurst, "write-burst", burst, "changes one person or API token may make at once (GONOGO_WRITE_BURST)")
	fs.Float64Var(&c.writeRate, "write-rate", perSecond,
		"changes a second one person or API token may keep up after the burst; inf for no limit (GONOGO_WRITE_RATE)")
	fs.StringVar(&c.auditKey, "audit-key", env("GONOGO_AUDIT_KEY", ""),
		"file of the key that signs audit checkpoints, made at first start; keep it apart from the database (GONOGO_AUDIT_KEY; default: "+checkpoint.KeyFileName+" beside the database)")
	every, err := time.ParseDuration(env("GONOGO_REMIND_INTERVAL", "1m"))
	if err != nil || every < time.Second {
		return c, fmt.Errorf("GONOGO_REMIND_INTERVAL is not a duration of a second or more, such as 1m")
	}
	fs.DurationVar(&c.remindEvery, "remind-interval", every,
		"how often reminders, escalations and daily digests look for what is due (GONOGO_REMIND_INTERVAL)")
	var signIn signInFlags
	signIn.register(fs, env)
	var smtp smtpFlags
	smtp.register(fs, env)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.smtp, err = smtp.settings(getenv("GONOGO_SMTP_PASSWORD")); err != nil {
		return c, err
	}
	if c.signIn, err = signIn.config(getenv("GONOGO_OIDC_CLIENT_SECRET")); err != nil {
		return c, err
	}
	if c.remindEvery < time.Second {
		return c, fmt.Errorf("-remind-interval must be a second or more")
	}
	if c.writeBurst < 1 || !(c.writeRate > 0) {
		return c, fmt.Errorf("-write-burst must be at least 1 and -write-rate above 0 (inf for no limit)")
	}
	if c.auditKey == "" {
		c.auditKey = checkpoint.DefaultKeyPath(c.dbPath)
	}
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	return c, nil
}

func isTrue(s string) bool { return s == "true" || s == "1" }

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "token" {
		return runToken(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "backup" {
		return runBackup(ctx, args[1:], getenv, stdout)
	}
	if len(args) > 0 && args[0] == "audit" {
		return runAudit(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	log := newLogger(cfg.logFormat, stdout)
	loc, err := time.LoadLocation(cfg.timeZone)
	if err != nil {
		return fmt.Errorf("time zone %q: %w", cfg.timeZone, err)
	}
	proxies, err := parseCIDRs(cfg.trustedProxies)
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, cfg.dbPath)
	if err != nil {
		return fmt.Errorf("open database %s: %w", cfg.dbPath, err)
	}
	defer store.Close()
	store.DefaultZone = loc
	store.BaseURL = cfg.baseURL
	log.Info("database ready", "path", cfg.dbPath)
	warnExposed(store, log)
	if cfg.demo {
		if err := seedDemo(ctx, store, cfg.demoPassword, log); err != nil {
			return err
		}
	}
	key, err := loadAuditKey(cfg.auditKey, log)
	if err != nil {
		return err
	}
	hooks := webhook.Start(store, webhook.Options{BaseURL: cfg.baseURL, AllowPrivate: cfg.webhookAllowPrivate, Logger: log})
	defer hooks.Close()
	daily := checkpoint.StartDaily(store, key, checkpoint.Options{Logger: log})
	defer daily.Close() // before the dispatcher: deferred calls run last first
	verifier := checkpoint.StartVerifier(store, checkpoint.Options{Logger: log})
	defer verifier.Close()
	mailer := mail.Start(store, mail.Options{Settings: cfg.smtp, BaseURL: cfg.baseURL, Logger: log})
	defer mailer.Close()
	reminders := remind.Start(store, remind.Options{Interval: cfg.remindEvery, Logger: log})
	defer reminders.Close()
	h := handlers.New(store, handlers.Config{BaseURL: cfg.baseURL, Location: loc, TrustedProxies: proxies, Logger: log, Mail: mailer,
		WebhookAllowPrivate: cfg.webhookAllowPrivate, PublicNotes: cfg.publicNotes, MetricsToken: cfg.metricsToken, Webhooks: hooks,
		CheckpointKey: key, WriteBurst: cfg.writeBurst, WriteRate: rate.Limit(cfg.writeRate), SignIn: cfg.signIn})
	logSignIn(cfg, log)
	if cfg.publicNotes {
		log.Info("public notes: anonymous readers see the published notes of shipped releases")
	}
	return serve(ctx, cfg.addr, h, log)
}

// logSignIn says how people sign in, and what the provider must be told.
func logSignIn(cfg config, log *slog.Logger) {
	s := cfg.signIn
	if s.Issuer != "" {
		log.Info("sign-in through an OpenID provider", "issuer", s.Issuer, "client", s.ClientID,
			"redirect_url", strings.TrimSuffix(cfg.baseURL, "/")+"/auth/callback", "signed_out_url", strings.TrimSuffix(cfg.baseURL, "/")+"/login")
	}
	if s.NoPasswords && s.BreakGlassAdmin == "" {
		log.Warn("-password-login=false without -break-glass-admin: if the provider fails, nobody can sign in")
	} else if s.NoPasswords {
		log.Info("passwords are off but for the break-glass admin, at /login?local=1", "email", s.BreakGlassAdmin)
	}
}

// warnExposed warns of each database file that other users may read: a
// database made by an older gonogo, or copied in under a loose umask.
func warnExposed(store *db.Store, log *slog.Logger) {
	files, err := store.ExposedFiles()
	if err != nil {
		log.Warn("could not check who may read the database files", "err", err)
	}
	for _, f := range files {
		log.Warn("other users may read this database file, which holds password hashes and webhook secrets: chmod 600 it",
			"file", f.Path, "mode", f.Mode.String())
	}
}

// loadAuditKey reads the key that signs audit checkpoints, making it at
// first start, and logs its public half, which verifies them anywhere.
func loadAuditKey(path string, log *slog.Logger) (ed25519.PrivateKey, error) {
	key, created, err := checkpoint.LoadOrCreateKey(path)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("audit checkpoint key created: keep it apart from the database and its backups", "path", path)
	}
	log.Info("audit checkpoints are signed", "key", gonogo.KeyID(key.Public().(ed25519.PublicKey)), "path", path)
	return key, nil
}

func seedDemo(ctx context.Context, store *db.Store, password string, log *slog.Logger) error {
	seeded, err := seed.Demo(ctx, store, password)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if !seeded {
		log.Warn("-demo: the database already has data; nothing was changed")
		return nil
	}
	var emails []string
	for _, a := range seed.DemoAccounts {
		emails = append(emails, a.Email)
	}
	log.Warn("DEMO ACCOUNTS CREATED: these accounts share one known password; never use -demo for a real board",
		"accounts", strings.Join(emails, ", "))
	return nil
}

// serve listens on addr until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, addr string, h *handlers.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(h.CloseStreams)
	go cleanup(ctx, h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("gonogo is serving", "url", "http://"+ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// cleanup removes expired sessions every hour.
func cleanup(ctx context.Context, h *handlers.Handler) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		h.Cleanup(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if strings.Contains(part, ":") {
				part += "/128"
			} else {
				part += "/32"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, n)
	}
	return out, nil
}
