package gonogo

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// Actor is who makes a change: a signed-in user or, later, an API token.
type Actor struct {
	UserID int64 // 0 for the system or a token
	Name   string
	Roles  RoleSet // every role held, for some product or for all
	// Grants are the roles held with their products; nil means each of
	// Roles is held for every product (the system, a token, a script).
	Grants     Grants
	Admin      bool
	RemoteAddr string
	// Deputies are the deputyships naming the actor that are in force now:
	// each adds its role on its holder's products (see deputy.go). Lapsed
	// are the others, current no more or not yet, which say why not.
	Deputies []Deputyship
	Lapsed   []Deputyship
}

// RolesOn returns the roles a holds for product, in their own right or
// as a deputy.
func (a Actor) RolesOn(product string) RoleSet {
	if a.Grants == nil {
		return a.Roles
	}
	return NewGrants(append(slices.Clone(a.Grants), DeputyGrants(a.Deputies)...)...).On(product)
}

// SystemActor is the actor for changes gonogo makes by itself (setup, demo data).
var SystemActor = Actor{Name: "gonogo"}

// Event is one entry of the audit trail: who did what to which release, when
// and from where. Events are append-only and chained by hash.
type Event struct {
	ID         int64
	At         time.Time
	ActorID    int64
	Actor      string
	Action     string
	ReleaseID  int64 // 0 when the event concerns no release
	Detail     string
	RemoteAddr string
	PrevHash   string
	Hash       string
}

// GenesisHash is the previous hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hash of e chained to prev. Every field that
// matters is length-prefixed so that no two different events hash alike.
func (e Event) ComputeHash(prev string) string {
	h := sha256.New()
	for _, f := range []string{
		prev,
		strconv.FormatInt(e.ID, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.ActorID, 10),
		e.Actor,
		e.Action,
		strconv.FormatInt(e.ReleaseID, 10),
		e.Detail,
		e.RemoteAddr,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ChainBreak says where a chain of events stops verifying.
type ChainBreak struct {
	EventID int64
	Reason  string
}

// VerifyChain checks that events, in id order starting at the first event
// ever written, form an unbroken chain. It returns nil when they do.
func VerifyChain(events []Event, prev string) *ChainBreak {
	var lastID int64
	for _, e := range events {
		switch {
		case e.PrevHash != prev:
			return &ChainBreak{e.ID, "its previous hash does not match the event before it: an event was removed or changed"}
		case e.ComputeHash(prev) != e.Hash:
			return &ChainBreak{e.ID, "its content does not match its hash: the event was edited"}
		case lastID != 0 && e.ID != lastID+1:
			return &ChainBreak{e.ID, "event ids jump: an event was removed"}
		}
		prev, lastID = e.Hash, e.ID
	}
	return nil
}
