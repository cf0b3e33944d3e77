package seed

import (
	"context"
	"time"

	"github.com/gonogo/gonogo/db"
)

// writer writes to the store at a moment of the history being made: each
// change made with its ctx is recorded at its now (see db.At).
type writer struct {
	store *db.Store
	base  context.Context
	ctx   context.Context
	now   time.Time
}

func newWriter(ctx context.Context, store *db.Store) *writer {
	w := &writer{store: store, base: ctx}
	w.at(store.Now())
	return w
}

// at moves the writer to t, kept to the millisecond as the store keeps times.
func (w *writer) at(t time.Time) {
	w.now = t.UTC().Truncate(time.Millisecond)
	w.ctx = db.At(w.base, w.now)
}
