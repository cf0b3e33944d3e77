package checkpoint

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gonogo/gonogo/db"
)

// VerifyEvery is how often the whole audit trail is verified again. A view
// of the audit page hashes only the events written since the one before,
// so an edit to an event it already verified is found by this
// verification, at most this long after it was made (or at once by
// `gonogo audit verify`). At a million events it takes a few seconds of
// one core, on a connection of its own. It also writes back the mark the
// views move in memory (the store writes it back when it closes too), so
// a crash makes the views after a restart hash again at most this long's
// events.
const VerifyEvery = time.Hour

// Verifier verifies the whole audit trail at start, unless it was verified
// within VerifyEvery, and then every VerifyEvery, and keeps the outcome,
// which the audit page shows. A break is logged as an error at each
// verification that finds it.
type Verifier struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// StartVerifier starts the verification of the whole trail on store.
// Options.Ticks, when set, replace the hourly ticker.
func StartVerifier(store *db.Store, opt Options) *Verifier {
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	ticks := opt.Ticks
	var ticker *time.Ticker
	if ticks == nil {
		ticker = time.NewTicker(VerifyEvery)
		ticks = ticker.C
	}
	ctx, cancel := context.WithCancel(context.Background())
	v := &Verifier{cancel: cancel}
	v.wg.Go(func() {
		if ticker != nil {
			defer ticker.Stop()
		}
		if recent, err := verifiedRecently(ctx, store); !recent || err != nil {
			verifyWhole(ctx, store, log)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
			verifyWhole(ctx, store, log)
		}
	})
	return v
}

// Close stops the job and waits for it.
func (v *Verifier) Close() {
	v.cancel()
	v.wg.Wait()
}

func verifyWhole(ctx context.Context, store *db.Store, log *slog.Logger) {
	start := time.Now()
	r, err := store.VerifyWholeTrail(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("audit: verify the whole trail", "err", err)
	case err != nil:
	case r.Break != nil:
		log.Error("audit: the trail has been tampered with", "event", r.Break.EventID, "reason", r.Break.Reason, "verified", r.Checked)
	default:
		log.Info("audit: the whole trail verifies", "events", r.Checked, "took", time.Since(start).Round(time.Millisecond))
	}
}

// verifiedRecently reports whether the whole trail was verified within
// VerifyEvery, so that restarting the server does not verify it again.
func verifiedRecently(ctx context.Context, store *db.Store) (bool, error) {
	v, err := store.LastVerification(ctx)
	return err == nil && !v.At.IsZero() && store.Now().Sub(v.At) < VerifyEvery, err
}
