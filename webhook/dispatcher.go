package webhook

// The store calls the dispatcher right after each commit; the dispatcher
// only queues the notices in memory and returns, so no request waits for a
// webhook. Its own goroutine turns them into deliveries in the database,
// which is the real queue: a delivery survives a restart and is retried
// until it succeeds or its backoff runs out.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// Options configure a Dispatcher.
type Options struct {
	// BaseURL is the board's address, for the links in messages.
	BaseURL string
	// AllowPrivate lets deliveries reach loopback, link-local and private
	// addresses, for a board and its chat on one private network.
	AllowPrivate bool
	// Backoff is the wait after each failed attempt; nil means gonogo.DefaultBackoff.
	Backoff []time.Duration
	// Timeout bounds one attempt; 0 means 10 seconds.
	Timeout time.Duration
	Logger  *slog.Logger
}

// pendingBatch is how many queued deliveries one pass of the loop looks at.
const pendingBatch = 500

// Dispatcher delivers notices to webhooks.
type Dispatcher struct {
	store  *db.Store
	opt    Options
	client *http.Client
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu    sync.Mutex
	queue []gonogo.Notice
	// busy are the webhooks with an attempt under way: one at a time each,
	// so deliveries arrive in order. An attempt that ends puts its webhook
	// in done, and the loop frees it before it next reads the queue: freed
	// any sooner, a pass that read the queue before the attempt was saved
	// would send the same delivery again.
	busy   map[int64]bool
	done   []int64
	closed bool

	// failed counts attempts that did not deliver, and gaveUp deliveries
	// abandoned after the last retry, for /metrics.
	failed, gaveUp atomic.Uint64
}

// Failures reports the attempts that failed and the deliveries given up
// since the dispatcher started.
func (d *Dispatcher) Failures() (attempts, gaveUp uint64) {
	return d.failed.Load(), d.gaveUp.Load()
}

// Start subscribes a dispatcher to store's notices and starts delivering,
// including whatever an earlier run left pending.
func Start(store *db.Store, opt Options) *Dispatcher {
	if opt.Backoff == nil {
		opt.Backoff = gonogo.DefaultBackoff
	}
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{
		store: store, opt: opt, client: newWebhookClient(opt), log: opt.Logger,
		ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), busy: map[int64]bool{},
	}
	store.Listen(d.notify)
	d.wg.Add(1)
	go d.loop()
	return d
}

// Close stops delivering and waits for attempts under way to give up.
// Deliveries not yet made stay queued in the database for the next start.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// notify is the store's listener. It runs in the committing goroutine, so
// it only queues and returns.
func (d *Dispatcher) notify(ns []gonogo.Notice) {
	d.mu.Lock()
	if !d.closed {
		for _, n := range ns {
			if len(n.Topics) > 0 {
				d.queue = append(d.queue, n)
			}
		}
	}
	d.mu.Unlock()
	d.poke()
}

func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) loop() {
	defer d.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if err := d.prepare(); err != nil && d.ctx.Err() == nil {
			d.log.Error("webhooks: queue deliveries", "err", err)
		}
		next, err := d.sendDue()
		if err != nil && d.ctx.Err() == nil {
			d.log.Error("webhooks: find pending deliveries", "err", err)
			next = d.store.Now().Add(time.Second)
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(d.store.Now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-d.ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// prepare turns queued notices into deliveries, one per webhook that wants
// one of their topics for the release's product, each with the body it
// will be sent with every time, in the webhook's format.
func (d *Dispatcher) prepare() error {
	d.mu.Lock()
	ns := d.queue
	d.queue = nil
	d.mu.Unlock()
	if len(ns) == 0 {
		return nil
	}
	hooks, err := d.store.FindWebhooks(d.ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	releases := map[int64]gonogo.Release{}
	gates := map[int64]gonogo.Gate{}
	var ds []gonogo.Delivery
	for _, n := range ns {
		for _, w := range hooks {
			topics := w.Wants(n.Topics)
			if len(topics) == 0 {
				continue
			}
			rel, err := d.release(releases, n.Event.ReleaseID)
			if err != nil {
				return err
			}
			if !w.Covers(rel.Product) {
				continue
			}
			var gate gonogo.Gate
			if w.Format != gonogo.FormatJSON && rel.ID != 0 {
				if gate, err = d.gate(gates, rel.ID); err != nil {
					return err
				}
			}
			body, err := w.Format.Encode(n, topics, rel, gate, d.opt.BaseURL)
			if err != nil {
				return err
			}
			ds = append(ds, gonogo.Delivery{WebhookID: w.ID, EventID: n.Event.ID, Topics: topics, Body: body})
		}
	}
	return d.store.EnqueueDeliveries(d.ctx, ds)
}

// gate judges the release as it stands, for the chat messages that say
// why it is blocked.
func (d *Dispatcher) gate(cache map[int64]gonogo.Gate, id int64) (gonogo.Gate, error) {
	if g, ok := cache[id]; ok {
		return g, nil
	}
	s, err := d.store.FindSnapshot(d.ctx, id)
	if err != nil {
		return gonogo.Gate{}, err
	}
	g := gonogo.Evaluate(s)
	cache[id] = g
	return g, nil
}

func (d *Dispatcher) release(cache map[int64]gonogo.Release, id int64) (gonogo.Release, error) {
	if id == 0 {
		return gonogo.Release{}, nil
	}
	if r, ok := cache[id]; ok {
		return r, nil
	}
	r, err := d.store.FindRelease(d.ctx, id)
	if err != nil {
		return r, err
	}
	cache[id] = r
	return r, nil
}

// sendDue starts an attempt for every delivery that is due and whose
// webhook is not busy, and returns when the next one not yet due falls due.
func (d *Dispatcher) sendDue() (time.Time, error) {
	d.mu.Lock()
	for _, id := range d.done {
		delete(d.busy, id)
	}
	d.done = nil
	d.mu.Unlock()
	pending, err := d.store.FindPendingDeliveries(d.ctx, pendingBatch)
	if err != nil || len(pending) == 0 {
		return time.Time{}, err
	}
	hooks, err := d.store.FindWebhooks(d.ctx)
	if err != nil {
		return time.Time{}, err
	}
	byID := map[int64]gonogo.Webhook{}
	for _, w := range hooks {
		byID[w.ID] = w
	}
	now := d.store.Now()
	var next time.Time
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range pending {
		w, ok := byID[p.WebhookID]
		switch {
		case !ok || d.busy[p.WebhookID] || d.closed:
			// Removed meanwhile, or its turn comes when its attempt ends.
		case p.NextAttemptAt.After(now):
			if next.IsZero() || p.NextAttemptAt.Before(next) {
				next = p.NextAttemptAt
			}
		default:
			d.busy[p.WebhookID] = true
			d.wg.Add(1)
			go d.attempt(w, p)
		}
	}
	return next, nil
}

// attempt sends one delivery and records how it went.
func (d *Dispatcher) attempt(w gonogo.Webhook, p gonogo.Delivery) {
	defer d.wg.Done()
	defer func() {
		d.mu.Lock()
		d.done = append(d.done, w.ID)
		d.mu.Unlock()
		d.poke()
	}()
	code, errText := d.send(w, p)
	if d.ctx.Err() != nil {
		return // shutting down: the delivery stays pending for the next start
	}
	p = p.Attempted(code, errText, d.opt.Backoff, d.store.Now())
	if p.Status != gonogo.DeliveryDelivered {
		d.failed.Add(1)
		if p.Status == gonogo.DeliveryFailed {
			d.gaveUp.Add(1)
		}
		d.log.Warn("webhook delivery failed", "webhook", w.ID, "delivery", p.ID, "attempt", p.Attempts, "status", code,
			"err", errText, "gave_up", p.Status == gonogo.DeliveryFailed)
	}
	if err := d.store.SaveAttempt(context.WithoutCancel(d.ctx), p); err != nil {
		d.log.Error("webhooks: save attempt", "delivery", p.ID, "err", err)
	}
}

// send posts the delivery's body, signed, and returns the answer's status
// code and, unless it was a 2xx, what went wrong.
func (d *Dispatcher) send(w gonogo.Webhook, p gonogo.Delivery) (int, string) {
	ctx, cancel := context.WithTimeout(d.ctx, d.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(p.Body))
	if err != nil {
		return 0, "the URL cannot be used: " + err.Error()
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "gonogo-webhook/1")
	// The body-only signature, for receivers that check it; the signature
	// over the time of this attempt and the body, for a receiver that
	// refuses a delivery replayed later. Every attempt is signed anew.
	now := d.store.Now()
	h.Set("X-Gonogo-Signature", Sign(w.Secret, p.Body))
	h.Set("X-Gonogo-Timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("X-Gonogo-Signature-256", SignAt(w.Secret, p.Body, now))
	h.Set("X-Gonogo-Delivery", strconv.FormatInt(p.ID, 10))
	if len(p.Topics) > 0 {
		h.Set("X-Gonogo-Topic", string(p.Topics[0]))
	}
	res, err := d.client.Do(req)
	if err != nil {
		return 0, describeSendError(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		return res.StatusCode, "answered " + res.Status + "; webhooks do not follow redirects"
	case res.StatusCode < 200 || res.StatusCode >= 300:
		return res.StatusCode, "answered " + res.Status
	}
	return res.StatusCode, ""
}

// describeSendError says why a request failed without repeating its URL, whose path
// may hold the receiver's credentials.
func describeSendError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var refused refusedError
	if errors.As(err, &refused) {
		return refused.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer in time"
	}
	return err.Error()
}

// newWebhookClient returns the HTTP client of deliveries. Unless private targets
// are allowed, its dialer refuses them, and it ignores proxy settings: the
// check must see the address it really connects to, not a proxy's.
func newWebhookClient(opt Options) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     time.Minute,
		ForceAttemptHTTP2:   true,
	}
	if opt.AllowPrivate {
		tr.Proxy = http.ProxyFromEnvironment
	} else {
		dialer.Control = guard
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
