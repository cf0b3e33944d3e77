package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gonogo/gonogo"
)

const webhookColumns = `id, url, secret, topics, format, products, created_by, created_at`

func scanWebhook(sc scanner) (gonogo.Webhook, error) {
	var w gonogo.Webhook
	var topics, products string
	if err := sc.Scan(&w.ID, &w.URL, &w.Secret, &topics, &w.Format, &products, &w.CreatedBy, (*Time)(&w.CreatedAt)); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(products), &w.Products); err != nil {
		return w, err
	}
	return w, json.Unmarshal([]byte(topics), &w.Topics)
}

func productsJSON(ps []string) string {
	if ps == nil {
		ps = []string{}
	}
	b, _ := json.Marshal(ps)
	return string(b)
}

func topicsJSON(ts []gonogo.Topic) string {
	if ts == nil {
		ts = []gonogo.Topic{}
	}
	b, _ := json.Marshal(ts)
	return string(b)
}

// CreateWebhook registers a webhook. Whether its URL may be reached is the
// caller's to check first: that takes a DNS lookup, which has no place in a
// transaction.
func (s *Store) CreateWebhook(ctx context.Context, a gonogo.Actor, in gonogo.WebhookInput) (gonogo.Webhook, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Webhook{}, err
	}
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		if len(in.Products) > 0 {
			keys, err := tx.productKeys()
			if err != nil {
				return err
			}
			if err := in.CheckProducts(keys); err != nil {
				return err
			}
		}
		res, err := tx.Exec(`INSERT INTO webhooks (url, secret, topics, format, products, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			in.URL, in.Secret, topicsJSON(in.Topics), string(in.Format), productsJSON(in.Products), a.Name, Time(tx.now))
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return tx.record(a, 0, gonogo.WebhookCreated(id, in))
	})
	if err != nil {
		return gonogo.Webhook{}, err
	}
	return s.FindWebhook(ctx, id)
}

// DeleteWebhook removes a webhook with its queue and log.
func (s *Store) DeleteWebhook(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		w, err := scanWebhook(tx.QueryRow(`SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "no webhook with id %d", id)
		}
		if _, err := tx.Exec(`DELETE FROM webhooks WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.WebhookRemoved(w))
	})
}

// FindWebhook returns the webhook with id.
func (s *Store) FindWebhook(ctx context.Context, id int64) (gonogo.Webhook, error) {
	w, err := scanWebhook(s.read.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	return w, notFound(err, "no webhook with id %d", id)
}

// FindWebhooks returns every webhook, oldest first.
func (s *Store) FindWebhooks(ctx context.Context) ([]gonogo.Webhook, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanWebhook)
}

const deliveryColumns = `id, webhook_id, event_id, topics, body, status, attempts, status_code, error, next_attempt_at, last_attempt_at, created_at`

func scanDelivery(sc scanner) (gonogo.Delivery, error) {
	var d gonogo.Delivery
	var topics string
	if err := sc.Scan(&d.ID, &d.WebhookID, &d.EventID, &topics, &d.Body, &d.Status, &d.Attempts, &d.StatusCode, &d.Error,
		(*Time)(&d.NextAttemptAt), (*Time)(&d.LastAttemptAt), (*Time)(&d.CreatedAt)); err != nil {
		return d, err
	}
	return d, json.Unmarshal([]byte(topics), &d.Topics)
}

// EnqueueDeliveries adds deliveries to the queue, due at once. A delivery
// of an event to a webhook that already has it is left alone, so enqueuing
// twice sends once.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds []gonogo.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *Tx) error {
		for _, d := range ds {
			if _, err := tx.Exec(`INSERT INTO webhook_deliveries (webhook_id, event_id, topics, body, status, next_attempt_at, created_at)
				VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
				d.WebhookID, d.EventID, topicsJSON(d.Topics), d.Body, Time(tx.now), Time(tx.now)); err != nil {
				return fmt.Errorf("enqueue delivery: %w", err)
			}
		}
		return nil
	})
}

// FindPendingDeliveries returns up to limit deliveries still to be sent,
// those due soonest first.
func (s *Store) FindPendingDeliveries(ctx context.Context, limit int) ([]gonogo.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE status = 'pending' ORDER BY next_attempt_at, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDelivery)
}

// SaveAttempt stores the outcome of an attempt to send d. A webhook removed
// meanwhile took its deliveries with it; then there is nothing to save.
func (s *Store) SaveAttempt(ctx context.Context, d gonogo.Delivery) error {
	_, err := s.write.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, status_code = ?, error = ?,
		next_attempt_at = ?, last_attempt_at = ? WHERE id = ?`, string(d.Status), d.Attempts, d.StatusCode, d.Error,
		Time(d.NextAttemptAt), Time(d.LastAttemptAt), d.ID)
	return err
}

// FindDeliveries returns the latest deliveries of a webhook, newest first.
func (s *Store) FindDeliveries(ctx context.Context, webhookID int64, limit int) ([]gonogo.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDelivery)
}

// DeliveryCounts is how a webhook's deliveries stand, for the admin list.
type DeliveryCounts struct {
	Pending, Delivered, Failed int
}

// CountDeliveries returns the delivery counts of every webhook that has any.
func (s *Store) CountDeliveries(ctx context.Context) (map[int64]DeliveryCounts, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT webhook_id, status, count(*) FROM webhook_deliveries GROUP BY webhook_id, status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]DeliveryCounts{}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		c := out[id]
		switch gonogo.DeliveryStatus(status) {
		case gonogo.DeliveryPending:
			c.Pending = n
		case gonogo.DeliveryDelivered:
			c.Delivered = n
		case gonogo.DeliveryFailed:
			c.Failed = n
		}
		out[id] = c
	}
	return out, rows.Err()
}
