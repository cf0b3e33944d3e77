// Package remind sends, on its own, the reminders and escalations that
// releases in review are owed and each person's daily digest. cmd/web
// starts it beside the server; it ticks (every minute by default) and
// asks the store, which decides with the domain's rules what is due and
// records what it sent in the same transaction, so neither a restart nor
// two ticks ever send one twice.
package remind

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gonogo/gonogo/db"
)

// Options configure a Scheduler.
type Options struct {
	// Interval is the time between ticks; 0 means a minute.
	Interval time.Duration
	Logger   *slog.Logger
}

// batch is how many releases in review one read of a tick takes: a tick
// pages through them all, a batch at a time.
const batch = 200

// Scheduler ticks until closed.
type Scheduler struct {
	store  *db.Store
	opt    Options
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start starts ticking: at once, then every Interval.
func Start(store *db.Store, opt Options) *Scheduler {
	if opt.Interval <= 0 {
		opt.Interval = time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{store: store, opt: opt, cancel: cancel}
	s.wg.Add(1)
	go s.loop(ctx)
	return s
}

// Close stops ticking and waits for a tick under way to end. What it
// had not sent yet is due again at the next start.
func (s *Scheduler) Close() {
	s.cancel()
	s.wg.Wait()
}

func (s *Scheduler) loop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.opt.Interval)
	defer t.Stop()
	for {
		if err := Tick(ctx, s.store); err != nil && ctx.Err() == nil {
			s.opt.Logger.Error("reminders: tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick sends whatever is due at the store's now: the reminders of every
// release in review, then the digests. A release that fails is logged by
// the caller's error and retried at the next tick; the others go on.
func Tick(ctx context.Context, store *db.Store) error {
	var first error
	var after int64
	for {
		ids, err := store.FindReviewReleases(ctx, after, batch)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := store.Remind(ctx, id); err != nil && first == nil {
				first = err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if len(ids) < batch {
			break
		}
		after = ids[len(ids)-1]
	}
	if _, err := store.SendDigests(ctx); err != nil && first == nil {
		first = err
	}
	return first
}
