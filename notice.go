package gonogo

// Topic names a kind of change that people may want to hear about outside
// the board, such as in a chat channel through a webhook.
type Topic string

const (
	TopicVote           Topic = "vote.cast"
	TopicDecision       Topic = "decision.recorded"
	TopicState          Topic = "state.changed"
	TopicCheckFailed    Topic = "check.failed"
	TopicBlockingDefect Topic = "defect.blocking"
	TopicWindow         Topic = "window.changed"
	TopicNudge          Topic = "role.nudged"
	TopicReleased       Topic = "release.shipped"
	TopicCheckpoint     Topic = "audit.checkpoint"
	TopicReviewed       Topic = "release.reviewed"

	// A freeze exception asked for, approved or revoked (exception.go).
	TopicFreezeException Topic = "freeze.exception"
	TopicAlertFiring     Topic = "alert.firing"
)

// Topics lists every topic, in the order forms show them.
var Topics = []Topic{TopicVote, TopicDecision, TopicState, TopicCheckFailed, TopicBlockingDefect, TopicWindow, TopicNudge, TopicReleased,
	TopicCheckpoint, TopicReviewed, TopicFreezeException, TopicAlertFiring}

// Notice announces one committed change: its audit event, and the topics it
// belongs to. Notices are published only after the transaction that wrote
// them commits, never from one that rolled back.
type Notice struct {
	Event  Event
	Topics []Topic
	// Checkpoint is the signed checkpoint the event made, if it made one,
	// for the webhooks that keep them.
	Checkpoint *Checkpoint
	// Unread is the unread count of each person whose inbox the change
	// changed, by user id: what their bells show now. A person reading
	// their inbox publishes a notice with this alone (no event), so their
	// other tabs' bells follow.
	Unread map[int64]int
}
