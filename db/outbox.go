package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gonogo/gonogo"
)

// enqueueMail puts a message in the outbox, in the transaction of the
// change it tells of, so that it exists exactly when the change does. It
// is the one way mail is written: deliver uses it for a notification's
// email, and mail that is not a notification (a meeting invitation with
// its calendar part) calls it with Kind "". A person who is disabled or
// has no usable address gets none; m.To is filled in from their account.
func (tx *Tx) enqueueMail(m gonogo.Mail) error {
	if m.UserID != 0 {
		var disabled bool
		err := tx.QueryRow(`SELECT email, disabled FROM users WHERE id = ?`, m.UserID).Scan(&m.To, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if disabled {
			return nil
		}
	}
	if !gonogo.Mailable(m.To, false) {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO outbox (user_id, to_addr, kind, release_id, release, subject, text, link, actor,
		calendar, calendar_method, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
		nullID(m.UserID), m.To, string(m.Kind), nullID(m.ReleaseID), m.Release, m.Subject, m.Text, m.Link, m.Actor,
		m.Calendar, m.CalendarMethod, Time(tx.now), Time(tx.now))
	return err
}

// nullID is an id for a column that takes NULL for none.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const mailColumns = `id, COALESCE(user_id, 0), to_addr, kind, COALESCE(release_id, 0), release, subject, text, link, actor,
	calendar, calendar_method, status, attempts, error, next_attempt_at, last_attempt_at, created_at, sent_at`

func scanMail(sc scanner) (gonogo.Mail, error) {
	var m gonogo.Mail
	err := sc.Scan(&m.ID, &m.UserID, &m.To, &m.Kind, &m.ReleaseID, &m.Release, &m.Subject, &m.Text, &m.Link, &m.Actor,
		&m.Calendar, &m.CalendarMethod, &m.Status, &m.Attempts, &m.Error, (*Time)(&m.NextAttemptAt), (*Time)(&m.LastAttemptAt),
		(*Time)(&m.CreatedAt), (*Time)(&m.SentAt))
	return m, err
}

// RequeueInterrupted queues again the messages a worker claimed and did
// not finish: only one process serves a database, so at its start every
// claim is a dead one's. Their Message-ID stays, so a message the mail
// server had taken just before the kill reads as one message to its reader.
func (s *Store) RequeueInterrupted(ctx context.Context) (int64, error) {
	res, err := s.write.ExecContext(ctx, `UPDATE outbox SET status = 'queued' WHERE status = 'sending'`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ClaimMail marks up to limit due messages as being sent and returns
// them, oldest first. The claim is committed before anything is sent, so
// no other pass takes the same message.
func (s *Store) ClaimMail(ctx context.Context, limit int) ([]gonogo.Mail, error) {
	var out []gonogo.Mail
	err := s.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT `+mailColumns+` FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT ?`, Time(tx.now), limit)
		if err != nil {
			return err
		}
		if out, err = collect(rows, scanMail); err != nil {
			return err
		}
		for i := range out {
			if _, err := tx.Exec(`UPDATE outbox SET status = 'sending' WHERE id = ?`, out[i].ID); err != nil {
				return err
			}
			out[i].Status = gonogo.MailSending
		}
		return nil
	})
	return out, err
}

// SaveMailAttempt stores how an attempt at a claimed message went.
func (s *Store) SaveMailAttempt(ctx context.Context, m gonogo.Mail) error {
	_, err := s.write.ExecContext(ctx, `UPDATE outbox SET status = ?, attempts = ?, error = ?, next_attempt_at = ?,
		last_attempt_at = ?, sent_at = ? WHERE id = ? AND status = 'sending'`, string(m.Status), m.Attempts, m.Error,
		Time(m.NextAttemptAt), Time(m.LastAttemptAt), Time(m.SentAt), m.ID)
	return err
}

// NextMailDue is when the next queued message falls due; zero if none is
// queued.
func (s *Store) NextMailDue(ctx context.Context) (time.Time, error) {
	var t Time
	err := s.read.QueryRowContext(ctx, `SELECT next_attempt_at FROM outbox WHERE status = 'queued'
		ORDER BY next_attempt_at LIMIT 1`).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return time.Time(t), err
}

// PruneOutbox keeps the outbox bounded: sent messages older than
// gonogo.SentMailKept go, and any other older than gonogo.UnsentMailKept
// (a message being sent stays). It returns how many went.
func (s *Store) PruneOutbox(ctx context.Context) (int64, error) {
	now := s.Now()
	res, err := s.write.ExecContext(ctx, `DELETE FROM outbox WHERE (status = 'sent' AND created_at < ?)
		OR (status IN ('queued', 'failed') AND created_at < ?)`,
		Time(now.Add(-gonogo.SentMailKept)), Time(now.Add(-gonogo.UnsentMailKept)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// FindOutbox returns a page of the outbox, newest first: limit messages
// from the position from, of one status or ("") of every status.
func (s *Store) FindOutbox(ctx context.Context, status gonogo.MailStatus, from, limit int) ([]gonogo.Mail, error) {
	where, args := ``, []any{}
	if status != "" {
		where, args = `WHERE status = ? `, append(args, string(status))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+mailColumns+` FROM outbox `+where+`ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, from)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMail)
}

// CountOutbox is how many messages the outbox holds, by status.
func (s *Store) CountOutbox(ctx context.Context) (map[gonogo.MailStatus]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	m, err := collectMap[gonogo.MailStatus, int](rows)
	return m, err
}

// FindMail returns one message of the outbox.
func (s *Store) FindMail(ctx context.Context, id int64) (gonogo.Mail, error) {
	m, err := scanMail(s.read.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE id = ?`, id))
	return m, notFound(err, "there is no message %d in the outbox", id)
}

// RetryMail queues a failed message again, as the admin a asks, audited.
func (s *Store) RetryMail(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		m, err := scanMail(tx.QueryRow(`SELECT `+mailColumns+` FROM outbox WHERE id = ?`, id))
		if err = notFound(err, "there is no message %d in the outbox", id); err != nil {
			return err
		}
		m, au, err := gonogo.RetryMail(a, m, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ? WHERE id = ?`,
			string(m.Status), m.Attempts, Time(m.NextAttemptAt), m.ID); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// MailKey is the key that signs unsubscribe links, made by the migration.
func (s *Store) MailKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.read.QueryRowContext(ctx, `SELECT key FROM mail_key WHERE id = 1`).Scan(&key)
	return key, err
}

// Unsubscribe switches off the email of kind for the person userID, as
// the signed link sig of one of their messages asks, and audits it in
// their name from remoteAddr. It reports whether anything changed: a
// second click, or a kind not by email, changes nothing. A link that is
// not signed by this board is not found.
func (s *Store) Unsubscribe(ctx context.Context, userID int64, kind gonogo.NotificationKind, sig, remoteAddr string) (bool, error) {
	var changed bool
	err := s.inTx(ctx, func(tx *Tx) error {
		var key []byte
		if err := tx.QueryRow(`SELECT key FROM mail_key WHERE id = 1`).Scan(&key); err != nil {
			return err
		}
		if !gonogo.CheckUnsubscribe(key, userID, kind, sig) {
			return gonogo.Errorf(gonogo.ENOTFOUND, "this unsubscribe link is not one gonogo made; use the link in the message")
		}
		var name string
		err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, userID).Scan(&name)
		if err = notFound(err, "the person of this link is no longer on the board"); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT kind, channel FROM notification_prefs WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		was, err := collectMap[gonogo.NotificationKind, gonogo.Channel](rows)
		if err != nil {
			return err
		}
		next, au, err := gonogo.Unsubscribe(gonogo.Actor{UserID: userID, Name: name, RemoteAddr: remoteAddr}, gonogo.Prefs(was), kind)
		if err != nil || au == nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO notification_prefs (user_id, kind, channel) VALUES (?, ?, ?)
			ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel`, userID, string(kind), string(next.For(kind))); err != nil {
			return err
		}
		changed = true
		return tx.record(gonogo.Actor{UserID: userID, Name: name, RemoteAddr: remoteAddr}, 0, *au)
	})
	return changed, err
}
