package gonogo

import (
	"fmt"
	"strings"
)

// Action names what a change did, as the audit trail records it. The
// strings are stored and chained by hash: an action, once written, keeps
// its spelling for ever.
type Action string

// Every action the trail records. The part before the dot is the area of
// the board the change touched (see Area).
const (
	ActionVote         Action = "vote"
	ActionRoleRequired Action = "role.required"
	ActionRoleWaived   Action = "role.waived"
	ActionRoleNudge    Action = "role.nudge"
	ActionDecision     Action = "decision"

	ActionReleaseCreate Action = "release.create"
	ActionReleaseUpdate Action = "release.update"
	ActionReleaseState  Action = "release.state"
	ActionReleaseWindow Action = "release.window"
	// The post-release review recorded: it shows on the release page
	// with its state, so it is of the release's area.
	ActionPostReview Action = "release.reviewed"

	ActionItemStatus    Action = "item.status"
	ActionItemAdd       Action = "item.add"
	ActionItemRemove    Action = "item.remove"
	ActionCheckReport   Action = "check.report"
	ActionPipelineEvent Action = "pipeline.event"

	ActionDefectAdd    Action = "defect.add"
	ActionDefectStatus Action = "defect.status"
	ActionDefectEdit   Action = "defect.edit"
	// Issues imported from a tracker's export, by the person who pasted it.
	ActionDefectImport Action = "defect.import"

	// A pull or merge request arriving in, leaving or changing in a
	// release's milestone, as its tracker tells.
	ActionScopeChange Action = "scope.change"

	ActionCommentAdd  Action = "comment.add"
	ActionCommentEdit Action = "comment.edit"

	ActionNotesSave    Action = "notes.save"
	ActionNotesPublish Action = "notes.publish"
	ActionNotesAmend   Action = "notes.amend"

	ActionProductCreate  Action = "product.create"
	ActionProductUpdate  Action = "product.update"
	ActionProductArchive Action = "product.archive"
	// A product's policy for a release kind set.
	ActionProductPolicy Action = "product.policy"

	ActionTrackerSave   Action = "tracker.save"
	ActionTrackerRemove Action = "tracker.remove"

	ActionFreezeCreate Action = "freeze.create"
	ActionFreezeDelete Action = "freeze.delete"
	// A freeze exception asked for, approved and revoked (exception.go).
	ActionExceptionRequest Action = "freeze.exception.request"
	ActionExceptionApprove Action = "freeze.exception.approve"
	ActionExceptionRevoke  Action = "freeze.exception.revoke"
	ActionTeamSettings     Action = "settings.team"

	ActionUserCreate   Action = "user.create"
	ActionUserUpdate   Action = "user.update"
	ActionUserPassword Action = "user.password"
	ActionUserSetup    Action = "user.setup"
	ActionUserSignIn   Action = "user.signin"
	ActionUserSignOut  Action = "user.signout"
	ActionUserLink     Action = "user.link" // an account joined to a person at an OpenID provider
	ActionFeedToken    Action = "feed.token"

	ActionTokenCreate   Action = "token.create"
	ActionTokenRevoke   Action = "token.revoke"
	ActionWebhookCreate Action = "webhook.create"
	ActionWebhookDelete Action = "webhook.delete"

	ActionTemplateAdd    Action = "template.add"
	ActionTemplateUpdate Action = "template.update"
	ActionTemplateRemove Action = "template.remove"
	ActionTemplateMove   Action = "template.move"
	// A product's own template, made as a copy of the global one.
	ActionTemplateCustomize Action = "template.customize"
	// A product's own template removed: it uses the global one again.
	ActionTemplateRevert Action = "template.revert"

	ActionBackup          Action = "backup"
	ActionCheckpoint      Action = "audit.checkpoint"
	ActionDailyCheckpoint Action = "audit.checkpoint.daily"
)

// Area is the part of a page an action changed: the live trigger a release
// page's fragments listen for. A window or a freeze changes the window; any
// other change of the release, and its decision, its state; a waiver or a
// nudge the sign-offs, as a vote does; the rest their own area (item,
// defect, notes, comment...).
func (a Action) Area() string {
	area, _, _ := strings.Cut(string(a), ".")
	switch {
	case a == ActionReleaseWindow || area == "freeze":
		return "window"
	case area == "release" || area == "decision":
		return "state"
	case area == "role":
		return "vote"
	}
	return area
}

// Audit is what a change writes to the audit trail, composed by the rule
// that made the change: its action, its sentence for people, and the topics
// it is heard under outside the board (webhooks), and whom it tells in
// their inbox (Causes: see notification_causes.go).
type Audit struct {
	Action Action
	Detail string
	Topics []Topic
	Causes []Cause
}

// audit composes an Audit of action, its sentence written as with Sprintf.
func audit(action Action, format string, args ...any) Audit {
	return Audit{Action: action, Detail: fmt.Sprintf(format, args...)}
}

// Condition sources: what a condition item is a condition of.
const (
	SourceVote     = "vote"
	SourceDecision = "decision"
)

// conditionItems are the required post-deploy verification items that
// conditions become, owned by their roles, so they are tracked until
// closed. The store links them to the vote or decision it stores (SourceID)
// and puts them after the release's other items.
func conditionItems(source string, conds []Condition) []Item {
	var out []Item
	for _, c := range conds {
		out = append(out, Item{
			Phase: Verification, Title: c.Text, Guidance: "A condition of the " + source + "; close it once it holds.",
			OwnerRole: c.Owner, Required: true, Custom: true, Status: ItemOpen, Source: source,
		})
	}
	return out
}

// conditionsText lists conditions for the audit trail.
func conditionsText(cs []Condition) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%q for %s", c.Text, c.Owner.Label()))
	}
	return strings.Join(parts, "; ")
}
