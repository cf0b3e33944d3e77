package checkpoint

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// Options configure the daily job.
type Options struct {
	// Ticks are the moments the job looks whether a checkpoint is due;
	// nil means once an hour. Tests send their own.
	Ticks <-chan time.Time
	// Logger: nil means slog.Default().
	Logger *slog.Logger
}

// Daily signs a checkpoint of the audit trail once a day (UTC) and
// announces it to the webhooks subscribed to audit.checkpoint, which the
// webhook dispatcher delivers like any notice. It looks once at start and
// then at every tick; with no webhook subscribed it does nothing, so the
// trail does not fill with checkpoints nobody keeps.
type Daily struct {
	store  *db.Store
	key    ed25519.PrivateKey
	log    *slog.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// StartDaily starts the daily job on store, signing with key.
func StartDaily(store *db.Store, key ed25519.PrivateKey, opt Options) *Daily {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	ticks := opt.Ticks
	var ticker *time.Ticker
	if ticks == nil {
		ticker = time.NewTicker(time.Hour)
		ticks = ticker.C
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Daily{store: store, key: key, log: opt.Logger, cancel: cancel}
	d.wg.Go(func() {
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			if err := d.tick(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("audit: daily checkpoint", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
		}
	})
	return d
}

// Close stops the job and waits for a checkpoint under way.
func (d *Daily) Close() {
	d.cancel()
	d.wg.Wait()
}

// tick signs the day's checkpoint if one is due and someone keeps it.
func (d *Daily) tick(ctx context.Context) error {
	hooks, err := d.store.FindWebhooks(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(hooks, func(w gonogo.Webhook) bool { return slices.Contains(w.Topics, gonogo.TopicCheckpoint) }) {
		return nil
	}
	last, err := d.store.LastDailyCheckpoint(ctx)
	if err != nil || !gonogo.CheckpointDue(last, d.store.Now()) {
		return err
	}
	c, err := d.store.Checkpoint(ctx, gonogo.SystemActor, d.key, true)
	if err == nil {
		d.log.Info("audit: signed the daily checkpoint", "seq", c.Seq)
	}
	return err
}
