package gonogo

import "fmt"

// The causes below are composed by the rules whose changes tell people,
// beside their audits (Audit.Causes): one place per kind of change, so
// who hears what is read here and nowhere else.

// reviewOpened tells the holders of every required role that their
// sign-off is needed: the review of the snapshot's release opened.
func reviewOpened(s Snapshot, res TransitionResult) Cause {
	text := fmt.Sprintf("Review opened on %s: your sign-off is needed", s.Release.Name())
	if res.NewCycle {
		text = fmt.Sprintf("Review cycle %d opened on %s: your sign-off is needed again", res.Cycle, s.Release.Name())
	}
	return Cause{Kind: NotifyReview, Roles: NewRoleSet(s.Required()...), Text: text}
}

// nudged tells the holders of role that the release manager asks them to sign.
func nudged(actor Actor, rel Release, role Role) Cause {
	return Cause{Kind: NotifyNudge, Roles: RoleSet{role},
		Text: fmt.Sprintf("%s asks %s to sign off %s", actor.Name, role.InText(), rel.Name())}
}

// mentioned tells the people and the holders of the roles a comment calls
// on; the store adds the comment's id once it has one.
func mentioned(actor Actor, rel Release, c Comment) []Cause {
	handles := ParseHandles(c.Body)
	if len(c.Mentions) == 0 && len(handles) == 0 {
		return nil
	}
	return []Cause{{Kind: NotifyMention, Roles: c.Mentions, Handles: handles,
		Text: fmt.Sprintf("%s mentioned you on %s: %s", actor.Name, rel.Name(), Excerpt(c.Body))}}
}

// itemFailed tells the holders of an item's owner role that it failed
// (by a person's hand or a pipeline's check), unless it had failed already.
func itemFailed(rel Release, was, now Item, by string) []Cause {
	if now.Status != ItemFailed || was.Status == ItemFailed {
		return nil
	}
	return []Cause{{Kind: NotifyItemFailed, Roles: RoleSet{now.OwnerRole}, ItemID: now.ID,
		Text: fmt.Sprintf("%s marked “%s” failed on %s", by, now.Title, rel.Name())}}
}

// conditionsGiven tells each condition's role of it, one cause per
// condition item, in the order of the items: the store adds their ids.
func conditionsGiven(rel Release, by string, source string, conds []Condition) []Cause {
	var out []Cause
	for _, c := range conds {
		out = append(out, Cause{Kind: NotifyCondition, Roles: RoleSet{c.Owner},
			Text: fmt.Sprintf("%s set a condition of the %s on %s for %s: %s", by, source, rel.Name(), c.Owner.InText(), Excerpt(c.Text))})
	}
	return out
}

// decided tells those who signed the decided cycle of the outcome.
func decided(rel Release, d Decision) Cause {
	text := fmt.Sprintf("%s recorded %s on %s", d.DeciderName, d.Outcome.Label(), rel.Name())
	if d.Rationale != "" {
		text += ": " + Excerpt(d.Rationale)
	}
	return Cause{Kind: NotifyDecision, Signers: true, Cycle: d.Cycle, Decision: d.Number, Text: text}
}

// windowMoved tells those who signed the release's current cycle that its
// window changed, in the words of the audit.
func windowMoved(actor Actor, rel Release, detail string) Cause {
	return Cause{Kind: NotifyWindow, Signers: true, Cycle: rel.Cycle,
		Text: fmt.Sprintf("%s %s of %s", actor.Name, detail, rel.Name())}
}

// shippedOrRolledBack tells those who signed the release's cycle that it
// shipped or rolled back; other moves tell nobody.
func shippedOrRolledBack(s Snapshot, res TransitionResult) []Cause {
	var what string
	switch res.To {
	case Released:
		what = "shipped"
	case RolledBack:
		what = "was rolled back"
	default:
		return nil
	}
	return []Cause{{Kind: NotifyShipped, Signers: true, Cycle: s.Release.Cycle,
		Text: fmt.Sprintf("%s %s", s.Release.Name(), what)}}
}

// transitionCauses is whom a move tells: the required roles when it opens
// a review, the signers when the release ships or rolls back.
func transitionCauses(s Snapshot, res TransitionResult) []Cause {
	if res.To == Review {
		return []Cause{reviewOpened(s, res)}
	}
	return shippedOrRolledBack(s, res)
}
