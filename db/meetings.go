package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/invite"
)

const meetingColumns = `m.release_id, m.starts_at, m.minutes, m.location, m.seq, m.cancelled, m.by_name,
	COALESCE((SELECT email FROM users WHERE id = m.by_id), ''), m.changed_at`

func scanMeeting(sc scanner) (gonogo.Meeting, error) {
	var m gonogo.Meeting
	var minutes int
	err := sc.Scan(&m.ReleaseID, (*Time)(&m.Start), &minutes, &m.Where, &m.Seq, &m.Cancelled, &m.By, &m.ByEmail, (*Time)(&m.Changed))
	m.Length = time.Duration(minutes) * time.Minute
	return m, err
}

// meetingOf reads a release's meeting with q; a release that never had
// one gives the zero Meeting.
func meetingOf(ctx context.Context, q querier, releaseID int64) (gonogo.Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.release_id = ?`, releaseID))
	if errors.Is(err, sql.ErrNoRows) {
		return gonogo.Meeting{}, nil
	}
	return m, err
}

// FindMeeting returns a release's Go/No-Go meeting, cancelled or not; the
// zero Meeting when it never had one.
// Remembered until the next commit (memo), like the rest of the release
// page's reads.
func (s *Store) FindMeeting(ctx context.Context, releaseID int64) (gonogo.Meeting, error) {
	return remember(ctx, s, fmt.Sprintf("meeting %d", releaseID), func(ctx context.Context) (gonogo.Meeting, error) {
		return meetingOf(ctx, s.read, releaseID)
	}, Plain[gonogo.Meeting])
}

// ScheduleMeeting schedules or moves a release's meeting as
// gonogo.ScheduleMeeting says, judged on the release as it is inside the
// transaction, and audits it; its notifications tell the required roles.
func (s *Store) ScheduleMeeting(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.MeetingInput) (gonogo.Meeting, error) {
	var out gonogo.Meeting
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, was, err := tx.meetingSnapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		res, err := gonogo.ScheduleMeeting(a, snap, was, in, snap.Zone, tx.now)
		if err != nil {
			return err
		}
		out = res.Meeting
		return tx.saveMeeting(a, snap.Release, res, snap.Zone)
	})
	return out, err
}

// CancelMeeting cancels a release's meeting as gonogo.CancelMeeting says.
func (s *Store) CancelMeeting(ctx context.Context, a gonogo.Actor, releaseID int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		snap, was, err := tx.meetingSnapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		res, err := gonogo.CancelMeeting(a, snap, was, snap.Zone, tx.now)
		if err != nil {
			return err
		}
		return tx.saveMeeting(a, snap.Release, res, snap.Zone)
	})
}

// cancelMeetingWith calls off the meeting of a release that is being
// cancelled, in the transaction that cancels it.
func (tx *Tx) cancelMeetingWith(ctx context.Context, a gonogo.Actor, releaseID int64) error {
	snap, was, err := tx.meetingSnapshot(ctx, releaseID)
	if err != nil {
		return err
	}
	res, ok := gonogo.MeetingOnCancel(a, snap, was, snap.Zone, tx.now)
	if !ok {
		return nil
	}
	return tx.saveMeeting(a, snap.Release, res, snap.Zone)
}

func (tx *Tx) meetingSnapshot(ctx context.Context, releaseID int64) (gonogo.Snapshot, gonogo.Meeting, error) {
	snap, err := tx.snapshot(ctx, releaseID)
	if err != nil {
		return snap, gonogo.Meeting{}, err
	}
	was, err := meetingOf(ctx, txQuerier{tx}, releaseID)
	return snap, was, err
}

// saveMeeting stores the meeting a change made, with its audit.
func (tx *Tx) saveMeeting(a gonogo.Actor, rel gonogo.Release, res gonogo.MeetingResult, zone *time.Location) error {
	if res.Audit == nil {
		return nil
	}
	m := res.Meeting
	if _, err := tx.Exec(`INSERT INTO meetings (release_id, starts_at, minutes, location, seq, cancelled, by_id, by_name, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (release_id) DO UPDATE SET starts_at = excluded.starts_at, minutes = excluded.minutes,
			location = excluded.location, seq = excluded.seq, cancelled = excluded.cancelled, by_id = excluded.by_id,
			by_name = excluded.by_name, changed_at = excluded.changed_at`,
		rel.ID, Time(m.Start), m.Minutes(), m.Where, m.Seq, boolInt(m.Cancelled), nullUser(a.UserID), m.By, Time(tx.now)); err != nil {
		return err
	}
	if err := tx.touchRelease(rel.ID); err != nil {
		return err
	}
	if err := tx.record(a, rel.ID, *res.Audit); err != nil {
		return err
	}
	return tx.mailInvitations(a, rel, res, zone)
}

// mailInvitations puts the invitation (or its cancellation) in the
// outbox, one message per person its cause reaches by email, in the
// change's transaction: the people the inbox tells (notify), the same
// call of gonogo.Recipients, so that a person who switched meetings off
// gets neither. Every message lists everyone it reaches as attendees.
func (tx *Tx) mailInvitations(a gonogo.Actor, rel gonogo.Release, res gonogo.MeetingResult, zone *time.Location) error {
	if len(res.Audit.Causes) == 0 {
		return nil
	}
	c := res.Audit.Causes[0]
	people, err := tx.audience(c, rel)
	if err != nil {
		return err
	}
	recipients := gonogo.Recipients(c, rel.Product, a.UserID, people, tx.now)
	if len(recipients) == 0 {
		return nil
	}
	ids := []int64{rel.ManagerID, a.UserID}
	for _, r := range recipients {
		ids = append(ids, r.UserID)
	}
	names, err := tx.attendees(ids)
	if err != nil {
		return err
	}
	organizer, ok := names[a.UserID]
	if !ok {
		organizer = names[rel.ManagerID]
	}
	var attendees []gonogo.Attendee
	for _, r := range recipients {
		attendees = append(attendees, names[r.UserID])
	}
	body := invite.ICS(gonogo.InviteTo(rel, res.Meeting, res.Method, tx.baseURL, organizer, attendees))
	for _, r := range recipients {
		if r.Channel != gonogo.ChannelEmail {
			continue
		}
		m := gonogo.Mail{UserID: r.UserID, ReleaseID: rel.ID, Release: rel.Name(), Actor: a.Name,
			Subject: gonogo.InvitationSubject(rel, res.Meeting, res.Method, zone), Text: c.Text, Link: fmt.Sprintf("/releases/%d/meeting", rel.ID),
			Calendar: body, CalendarMethod: res.Method}
		if err := tx.enqueueMail(m); err != nil {
			return err
		}
	}
	return nil
}

// attendees reads the names and addresses of the people with ids.
func (tx *Tx) attendees(ids []int64) (map[int64]gonogo.Attendee, error) {
	rows, err := tx.Query(`SELECT id, name, email FROM users WHERE id IN (SELECT value FROM json_each(?))`, jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]gonogo.Attendee{}
	for rows.Next() {
		var id int64
		var at gonogo.Attendee
		if err := rows.Scan(&id, &at.Name, &at.Email); err != nil {
			return nil, err
		}
		out[id] = at
	}
	return out, rows.Err()
}

// nullUser is a user id for a column that takes NULL for nobody (the
// system, a token).
func nullUser(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
