package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

const (
	sessionCookie = "gonogo_session"
	// sessionIdle ends a session nobody has used for this long.
	sessionIdle = 12 * time.Hour
	// sessionAbsolute ends every session this long after sign-in, however busy.
	sessionAbsolute = 7 * 24 * time.Hour
	// touchEvery limits the writes that keep a session alive to one per
	// interval, so reading the board does not turn every request into a write.
	touchEvery = time.Minute
)

// sqliteStore is a gorilla/sessions Store that keeps sessions server-side in
// SQLite. The cookie holds only a random id, so sign-out, disabling a user or
// changing their roles takes effect on the very next request.
type sqliteStore struct {
	db      *db.Store
	options sessions.Options
	touches touchGuard
}

func newSessionStore(store *db.Store, secure bool) *sqliteStore {
	return &sqliteStore{db: store, options: sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionAbsolute / time.Second),
		HttpOnly: true, // gorilla/sessions defaults this to false
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}}
}

// Get returns the request's session, cached for the rest of the request.
func (s *sqliteStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or starts an empty
// one. An unknown or expired id yields an empty session, never an error.
func (s *sqliteStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(s.cookieName(name))
	if err != nil || c.Value == "" {
		return sess, nil
	}
	rec, err := s.db.FindSession(r.Context(), hashID(c.Value))
	if gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
		return sess, nil
	} else if err != nil {
		return sess, err
	}
	now := s.db.Now()
	if sessionEnded(rec, now) {
		s.db.DeleteSession(context.WithoutCancel(r.Context()), rec.IDHash)
		return sess, nil
	}
	if now.Sub(rec.LastSeenAt) > touchEvery && s.touches.claim(rec.IDHash, now) {
		s.db.TouchSession(r.Context(), rec.IDHash, now)
	}
	sess.ID = c.Value
	sess.IsNew = false
	sess.Values[userKey] = rec.User
	return sess, nil
}

// Save writes the session's cookie. A session with MaxAge < 0 is ended: its
// row is deleted and the cookie expired. The row itself is created by
// signIn, which needs it inside the audited transaction.
func (s *sqliteStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.db.DeleteSession(r.Context(), hashID(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(s.cookieName(sess.Name()), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		return nil
	}
	http.SetCookie(w, sessions.NewCookie(s.cookieName(sess.Name()), sess.ID, sess.Options))
	return nil
}

// cookieName is the name a cookie of ours goes by on the wire: __Host-
// prefixed over https (see hostCookie).
func (s *sqliteStore) cookieName(name string) string { return hostCookie(name, s.options.Secure) }

// sessionExpiry is when a session ends unless it is used before: idle for
// sessionIdle since its last use, or sessionAbsolute after sign-in.
func sessionExpiry(rec db.Session) time.Time {
	idle, absolute := rec.LastSeenAt.Add(sessionIdle), rec.CreatedAt.Add(sessionAbsolute)
	if absolute.Before(idle) {
		return absolute
	}
	return idle
}

// sessionEnded reports whether a session found in the database no longer stands.
func sessionEnded(rec db.Session, now time.Time) bool {
	return now.After(sessionExpiry(rec)) || rec.User.Disabled
}

type ctxKey int

const userKey ctxKey = iota

// newSessionID returns 32 random bytes, URL-safe.
func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashID is what the database keeps of a session id.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}
