package mail

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// Options configure a Worker.
type Options struct {
	Settings Settings
	// BaseURL is the board's address, for the links in messages.
	BaseURL string
	// TLSConfig verifies the mail server; nil verifies it against the
	// system's roots. Tests give one that trusts their own server's CA.
	TLSConfig *tls.Config
	// Backoff is the wait after each failed attempt; nil means
	// gonogo.MailBackoff.
	Backoff []time.Duration
	// Timeout bounds one connection's dial and each command; 0 means 30 s.
	Timeout time.Duration
	Logger  *slog.Logger
}

// batch is how many due messages one pass claims: one connection sends
// them, and a pass that took a full batch goes on with the next.
const batch = 50

// pruneEvery is how often the worker drops what the outbox keeps no
// longer (gonogo.SentMailKept, UnsentMailKept).
const pruneEvery = time.Hour

// Worker sends the outbox.
type Worker struct {
	store  *db.Store
	opt    Options
	log    *slog.Logger
	host   string // the board's host, for Message-IDs
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	// sent counts messages sent, failed attempts that did not send, and
	// gaveUp messages failed after the last attempt, for /metrics.
	sent, failed, gaveUp atomic.Uint64
}

// Start requeues what a dead process left claimed, then sends the
// outbox as it fills, until Close. Without settings it only keeps the
// outbox bounded: the messages wait for a start with settings.
func Start(store *db.Store, opt Options) *Worker {
	if opt.Backoff == nil {
		opt.Backoff = gonogo.MailBackoff
	}
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	host := "localhost"
	if u, err := url.Parse(opt.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{store: store, opt: opt, log: opt.Logger, host: host, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	if n, err := store.RequeueInterrupted(ctx); err != nil {
		w.log.Error("mail: requeue interrupted messages", "err", err)
	} else if n > 0 {
		w.log.Warn("mail: messages a stopped process was sending are queued again", "messages", n)
	}
	if !opt.Settings.Configured() {
		w.log.Info("mail is not configured (-smtp-url): messages stay in the outbox")
	}
	store.Listen(func([]gonogo.Notice) { w.poke() })
	w.wg.Add(1)
	go w.loop()
	return w
}

// Close stops sending and waits for the attempt under way. What is not
// sent stays in the outbox for the next start.
func (w *Worker) Close() {
	w.cancel()
	w.wg.Wait()
}

// Server is the mail server and sender as configured, for Admin →
// Email: host and port, and the From address; "" when not configured.
// The password is never given out.
func (w *Worker) Server() (host string, port int, from string) {
	s := w.opt.Settings
	return s.Host, s.Port, s.From
}

// Counts reports the messages sent, the attempts that failed and the
// messages given up since the worker started.
func (w *Worker) Counts() (sent, failedAttempts, gaveUp uint64) {
	return w.sent.Load(), w.failed.Load(), w.gaveUp.Load()
}

// poke wakes the loop: a change was committed, which may have queued mail.
func (w *Worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) loop() {
	defer w.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var pruned time.Time
	for {
		if now := time.Now(); now.Sub(pruned) >= pruneEvery {
			pruned = now
			if n, err := w.store.PruneOutbox(w.ctx); err != nil && w.ctx.Err() == nil {
				w.log.Error("mail: prune the outbox", "err", err)
			} else if n > 0 {
				w.log.Info("mail: old messages pruned from the outbox", "messages", n)
			}
		}
		wait := pruneEvery
		if w.opt.Settings.Configured() {
			wait = w.pass()
		}
		timer.Reset(wait)
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		case <-timer.C:
		}
	}
}

// pass sends every due message and returns how long to wait for the
// next one to fall due.
func (w *Worker) pass() time.Duration {
	for w.ctx.Err() == nil {
		claimed, err := w.store.ClaimMail(w.ctx, batch)
		if err != nil {
			if w.ctx.Err() == nil {
				w.log.Error("mail: claim due messages", "err", err)
			}
			return time.Second
		}
		if len(claimed) > 0 {
			w.send(claimed)
		}
		if len(claimed) < batch {
			break
		}
	}
	next, err := w.store.NextMailDue(w.ctx)
	if err != nil || next.IsZero() {
		return pruneEvery
	}
	return min(max(next.Sub(w.store.Now()), 0), pruneEvery)
}

// send sends claimed messages over one connection, opened for the first
// and again after any failure, and records each attempt.
func (w *Worker) send(claimed []gonogo.Mail) {
	key, err := w.store.MailKey(w.ctx)
	if err != nil {
		w.log.Error("mail: read the unsubscribe key", "err", err)
	}
	var client *gomail.Client
	defer func() {
		if client != nil {
			client.Close()
		}
	}()
	for _, m := range claimed {
		errText := ""
		msg, err := w.message(m, key)
		if err == nil && client == nil {
			client, err = w.dial()
		}
		if err == nil {
			err = client.Send(msg)
		}
		if err != nil {
			errText = describe(err)
			if client != nil {
				client.Close()
				client = nil
			}
		}
		w.record(m, errText)
	}
}

// record stores how an attempt went, even while shutting down: the
// message was sent or not, and a claim left open would send it again.
func (w *Worker) record(m gonogo.Mail, errText string) {
	m = m.Attempted(errText, w.opt.Backoff, w.store.Now())
	switch m.Status {
	case gonogo.MailSent:
		w.sent.Add(1)
	default:
		w.failed.Add(1)
		if m.Status == gonogo.MailFailed {
			w.gaveUp.Add(1)
		}
		w.log.Warn("mail: sending failed", "mail", m.ID, "attempt", m.Attempts, "err", errText,
			"gave_up", m.Status == gonogo.MailFailed)
	}
	if err := w.store.SaveMailAttempt(context.WithoutCancel(w.ctx), m); err != nil {
		w.log.Error("mail: save attempt", "mail", m.ID, "err", err)
	}
}

// dial connects to the mail server, upgrades to TLS and signs in.
func (w *Worker) dial() (*gomail.Client, error) {
	s := w.opt.Settings
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if w.opt.TLSConfig != nil {
		tlsConfig = w.opt.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.Host
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(w.opt.Timeout), gomail.WithTLSConfig(tlsConfig),
		gomail.WithHELO(w.host)}
	if s.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	}
	if s.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.User), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(w.ctx, w.opt.Timeout)
	defer cancel()
	if err := c.DialWithContext(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// describe says why an attempt failed, in one line for Admin → Email.
func describe(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
