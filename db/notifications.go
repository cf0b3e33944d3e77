package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/gonogo/gonogo"
)

// audienceLimit bounds each read of the people a cause may reach: the
// recipients' bound (gonogo.MaxRecipients) with room for the actor and
// the people Recipients leaves out (disabled, switched off, a deputy for
// another product).
const audienceLimit = 2 * gonogo.MaxRecipients

// notify writes what the audited change tells people: for each of its
// causes, the people the domain says hear it (gonogo.Recipients), each
// delivered once per channel (deliver). It runs in the change's own
// transaction, from record, so a notification exists exactly when its
// change does. The unread counts of the people it reached go on the
// change's notice, for their bells.
func (tx *Tx) notify(a gonogo.Actor, releaseID int64, causes []gonogo.Cause) error {
	if len(causes) == 0 || releaseID == 0 || len(tx.notices) == 0 {
		return nil
	}
	rel, err := tx.release(releaseID)
	if err != nil {
		return err
	}
	notice := &tx.notices[len(tx.notices)-1]
	reached := map[int64]bool{}
	for _, c := range causes {
		people, err := tx.audience(c, rel)
		if err != nil {
			return err
		}
		for _, r := range gonogo.Recipients(c, rel.Product, a.UserID, people, tx.now) {
			n := gonogo.Notification{UserID: r.UserID, Kind: c.Kind, ReleaseID: rel.ID, Release: rel.Name(),
				Text: c.Text, Link: c.Link(rel.ID, r), Actor: a.Name, At: tx.now}
			if err := tx.deliver(n, notice.Event.ID, r.Channel); err != nil {
				return err
			}
			reached[r.UserID] = true
		}
	}
	if len(reached) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(reached))
	for id := range reached {
		ids = append(ids, id)
	}
	notice.Unread, err = tx.unreadCounts(ids)
	return err
}

// deliver hands one notification to its person by the channel they
// chose: the one place a notification leaves by a channel. The inbox row
// is written for the inbox and the email channels alike (an email's
// reader finds it in the inbox too); mail, when it is sent, is put in the
// outbox here, in the same transaction, beside the row.
func (tx *Tx) deliver(n gonogo.Notification, eventID int64, ch gonogo.Channel) error {
	if !ch.Inbox() {
		return nil
	}
	if _, err := tx.Exec(`INSERT INTO notifications (user_id, kind, release_id, release, event_id, actor, text, link, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.UserID, string(n.Kind), sql.NullInt64{Int64: n.ReleaseID, Valid: n.ReleaseID != 0}, n.Release, eventID, n.Actor, n.Text, n.Link,
		Time(n.At)); err != nil {
		return err
	}
	// A meeting's email is its invitation, with its calendar part
	// (meetings.go), not a message of its own.
	if ch == gonogo.ChannelEmail && n.Kind != gonogo.NotifyMeeting {
		if err := tx.enqueueMail(gonogo.NotificationMail(n, "")); err != nil {
			return err
		}
	}
	return tx.pruneInbox(n.UserID)
}

// pruneInbox keeps a person's inbox bounded as it is written: the newest
// gonogo.InboxKeep rows, read or not, and of the read ones only those read
// within gonogo.ReadKept. Both are seeks along an index.
func (tx *Tx) pruneInbox(userID int64) error {
	if _, err := tx.Exec(`DELETE FROM notifications WHERE user_id = ? AND id <= (SELECT id FROM notifications
		WHERE user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, userID, userID, gonogo.InboxKeep); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM notifications WHERE user_id = ? AND read_at IS NOT NULL AND read_at < ?`,
		userID, Time(tx.now.Add(-gonogo.ReadKept)))
	return err
}

// audience reads the people c may reach on rel: those holding one of its
// roles for the product (in their own right or, from a deputyship in
// force, as a deputy), those who signed its cycle, those it calls by
// handle; each with their grants, deputyships, whether they signed and
// their channel for c's kind. Which of them hear it is the domain's call.
func (tx *Tx) audience(c gonogo.Cause, rel gonogo.Release) ([]gonogo.Person, error) {
	ids := map[int64]bool{}
	add := func(query string, args ...any) error {
		rows, err := tx.Query(query+` LIMIT `+strconv.Itoa(audienceLimit), args...)
		if err != nil {
			return err
		}
		got, err := collect(rows, scanOne[int64])
		for _, id := range got {
			ids[id] = true
		}
		return err
	}
	if len(c.Roles) > 0 {
		roles := jsonList(c.Roles)
		if err := add(`SELECT DISTINCT user_id FROM user_roles WHERE role IN (SELECT value FROM json_each(?))
			AND (product = '' OR product = ?) ORDER BY user_id`, roles, rel.Product); err != nil {
			return nil, err
		}
		if err := add(`SELECT DISTINCT deputy_id FROM deputyships WHERE role IN (SELECT value FROM json_each(?))
			AND ended_at IS NULL AND starts_at <= ? AND ends_at > ? ORDER BY deputy_id`, roles, Time(tx.now), Time(tx.now)); err != nil {
			return nil, err
		}
	}
	signed := map[int64]bool{}
	if c.Signers {
		rows, err := tx.Query(`SELECT DISTINCT user_id FROM votes WHERE release_id = ? AND cycle = ? ORDER BY user_id LIMIT `+
			strconv.Itoa(audienceLimit), rel.ID, c.Cycle)
		if err != nil {
			return nil, err
		}
		got, err := collect(rows, scanOne[int64])
		if err != nil {
			return nil, err
		}
		for _, id := range got {
			ids[id], signed[id] = true, true
		}
	}
	if len(c.People) > 0 {
		if err := add(`SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, jsonList(c.People)); err != nil {
			return nil, err
		}
	}
	if len(c.Handles) > 0 {
		if err := add(`SELECT id FROM users WHERE lower(substr(email, 1, instr(email, '@') - 1)) IN (SELECT value FROM json_each(?))
			ORDER BY id`, jsonList(c.Handles)); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return tx.people(ids, signed, c.Kind)
}

// people reads the people with ids, by id, as the domain judges them.
func (tx *Tx) people(ids, signed map[int64]bool, kind gonogo.NotificationKind) ([]gonogo.Person, error) {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	idsJSON := jsonList(list)
	rows, err := tx.Query(`SELECT `+userColumns+` FROM users u WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.id`, idsJSON)
	if err != nil {
		return nil, err
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, err
	}
	rows, err = tx.Query(`SELECT `+deputyColumns+deputyFrom+`WHERE d.deputy_id IN (SELECT value FROM json_each(?))
		AND d.ended_at IS NULL AND d.starts_at <= ? AND d.ends_at > ? AND h.disabled = 0`, idsJSON, Time(tx.now), Time(tx.now))
	if err != nil {
		return nil, err
	}
	deputies, err := collect(rows, scanDeputyship)
	if err != nil {
		return nil, err
	}
	rows, err = tx.Query(`SELECT user_id, channel FROM notification_prefs WHERE kind = ? AND user_id IN (SELECT value FROM json_each(?))`,
		string(kind), idsJSON)
	if err != nil {
		return nil, err
	}
	chosen, err := collectMap[int64, string](rows)
	if err != nil {
		return nil, err
	}
	out := make([]gonogo.Person, 0, len(users))
	for _, u := range users {
		p := gonogo.Person{ID: u.ID, Name: u.Name, Email: u.Email, Disabled: u.Disabled, Grants: u.Grants, Signed: signed[u.ID]}
		for _, d := range deputies {
			if d.DeputyID == u.ID {
				p.Deputies = append(p.Deputies, d)
			}
		}
		if ch, ok := chosen[u.ID]; ok {
			p.Prefs = gonogo.Prefs{kind: gonogo.Channel(ch)}
		}
		out = append(out, p)
	}
	return out, nil
}

// countUnread counts a person's unread notifications up to a bound
// (gonogo.MaxUnreadCounted), along the partial index of the unread.
const countUnread = `SELECT count(*) FROM (SELECT 1 FROM notifications WHERE user_id = ? AND read_at IS NULL LIMIT ?)`

// unreadCounts is the unread count of each of the people with ids.
func (tx *Tx) unreadCounts(ids []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(ids))
	for _, id := range ids {
		var n int
		if err := tx.QueryRow(countUnread, id, gonogo.MaxUnreadCounted).Scan(&n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, nil
}

// jsonList is a list as JSON, for json_each: one parameter however long.
func jsonList[T any](vs []T) string {
	b, _ := json.Marshal(vs)
	return string(b)
}

const notificationColumns = `id, user_id, kind, COALESCE(release_id, 0), release, text, link, actor, created_at, read_at`

func scanNotification(sc scanner) (gonogo.Notification, error) {
	var n gonogo.Notification
	err := sc.Scan(&n.ID, &n.UserID, &n.Kind, &n.ReleaseID, &n.Release, &n.Text, &n.Link, &n.Actor, (*Time)(&n.At), (*Time)(&n.ReadAt))
	return n, err
}

// FindNotifications returns up to limit of a person's notifications with
// ids below before (0: from the newest), newest first: a page of their
// inbox, read along its index.
func (s *Store) FindNotifications(ctx context.Context, userID, before int64, limit int) ([]gonogo.Notification, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, cursor(before), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanNotification)
}

// CountUnread is how many of a person's notifications are unread, up to
// gonogo.MaxUnreadCounted: what their bell shows, read on every page.
func (s *Store) CountUnread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, countUnread, userID, gonogo.MaxUnreadCounted).Scan(&n)
	return n, err
}

// MarkRead marks one of a person's notifications read and returns their
// unread count; another person's, or none, is not found.
//
// Reading is not audited: it changes nothing on the board nor what
// anybody else sees, and a click on every notification would swell the
// chained trail that checkpoints verify. Its notice carries the count
// alone, so the person's other tabs' bells follow.
func (s *Store) MarkRead(ctx context.Context, userID, id int64) (int, error) {
	return s.markRead(ctx, userID, `AND id = ?`, id)
}

// MarkAllRead marks every notification of a person read (at most
// gonogo.InboxKeep) and returns their unread count, 0.
func (s *Store) MarkAllRead(ctx context.Context, userID int64) (int, error) {
	return s.markRead(ctx, userID, ``)
}

func (s *Store) markRead(ctx context.Context, userID int64, where string, args ...any) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *Tx) error {
		if len(args) > 0 {
			var found int
			err := tx.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? `+where, append([]any{userID}, args...)...).Scan(&found)
			if err != nil {
				return err
			}
			if found == 0 {
				return gonogo.Errorf(gonogo.ENOTFOUND, "there is no such notification in your inbox")
			}
		}
		if _, err := tx.Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL `+where,
			append([]any{Time(tx.now), userID}, args...)...); err != nil {
			return err
		}
		counts, err := tx.unreadCounts([]int64{userID})
		if err != nil {
			return err
		}
		n = counts[userID]
		tx.notices = append(tx.notices, gonogo.Notice{Unread: counts})
		return nil
	})
	return n, err
}

// FindNotificationPrefs returns the channels a person chose, by kind.
func (s *Store) FindNotificationPrefs(ctx context.Context, userID int64) (gonogo.Prefs, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT kind, channel FROM notification_prefs WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	m, err := collectMap[gonogo.NotificationKind, gonogo.Channel](rows)
	return gonogo.Prefs(m), err
}

// SetNotificationPrefs stores the channels the actor chose, as
// gonogo.ChoosePrefs makes of them, and audits the change.
func (s *Store) SetNotificationPrefs(ctx context.Context, a gonogo.Actor, p gonogo.Prefs) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT kind, channel FROM notification_prefs WHERE user_id = ?`, a.UserID)
		if err != nil {
			return err
		}
		was, err := collectMap[gonogo.NotificationKind, gonogo.Channel](rows)
		if err != nil {
			return err
		}
		au, err := gonogo.ChoosePrefs(a, gonogo.Prefs(was), p)
		if err != nil || au == nil {
			return err
		}
		for _, k := range gonogo.NotificationKinds {
			if _, err := tx.Exec(`INSERT INTO notification_prefs (user_id, kind, channel) VALUES (?, ?, ?)
				ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel`, a.UserID, string(k), string(p.For(k))); err != nil {
				return err
			}
		}
		return tx.record(a, 0, *au)
	})
}

// pointAt fills in, on the causes of a change, the ids the change made:
// the comment it posted, for a mention; the condition items it added, in
// the order the domain composed their causes.
func pointAt(causes []gonogo.Cause, commentID int64, conditionItems []int64) []gonogo.Cause {
	next := 0
	for i := range causes {
		switch causes[i].Kind {
		case gonogo.NotifyMention:
			causes[i].CommentID = commentID
		case gonogo.NotifyCondition:
			if next < len(conditionItems) {
				causes[i].ItemID = conditionItems[next]
				next++
			}
		}
	}
	return causes
}

// FindNotification returns one of a person's notifications; another
// person's is not found.
func (s *Store) FindNotification(ctx context.Context, userID, id int64) (gonogo.Notification, error) {
	n, err := scanNotification(s.read.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE id = ? AND user_id = ?`, id, userID))
	return n, notFound(err, "there is no such notification in your inbox")
}
