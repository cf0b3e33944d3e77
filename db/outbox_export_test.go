package db

import (
	"context"

	"github.com/gonogo/gonogo"
)

// EnqueueMail lets tests put a message that is not a notification (a
// meeting invitation) in the outbox, as a change's transaction would.
func (s *Store) EnqueueMail(ctx context.Context, m gonogo.Mail) error {
	return s.inTx(ctx, func(tx *Tx) error { return tx.enqueueMail(m) })
}
