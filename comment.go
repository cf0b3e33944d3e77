package gonogo

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Discussion limits.
const (
	MaxCommentBodyLen = 10000
	// EditWindow is how long a comment may be rewritten; after it, the
	// author may only append, so that what others replied to stays on record.
	EditWindow = 10 * time.Minute
)

// Comment is one message in a release's discussion of a review cycle.
type Comment struct {
	ID        int64
	ReleaseID int64
	Cycle     int
	ParentID  int64 // 0 for a comment that starts a thread
	AuthorID  int64
	Author    string
	Body      string // Markdown
	Mentions  RoleSet
	CreatedAt time.Time
	UpdatedAt time.Time
	Edits     int // how many times it was edited or appended to
}

// Editable reports whether the comment may still be rewritten at now.
func (c Comment) Editable(now time.Time) bool { return now.Sub(c.CreatedAt) < EditWindow }

// Mentions returns whether the comment calls on any of roles.
func (c Comment) MentionsAny(roles RoleSet) bool { return c.Mentions.Any(roles...) }

// mentionPattern finds @handles: @qa, @ops, @rm or a role's full slug.
var mentionPattern = regexp.MustCompile(`(?:^|[^\w@])@([a-z][a-z-]*[a-z])`)

// ParseMentions returns the roles a text calls on by handle (@qa) or slug
// (@qa-lead), each once, in canonical order.
func ParseMentions(text string) RoleSet {
	var rs []Role
	for _, m := range mentionPattern.FindAllStringSubmatch(strings.ToLower(text), -1) {
		if r, err := ParseRole(m[1]); err == nil {
			rs = append(rs, r)
		}
	}
	return NewRoleSet(rs...)
}

// CommentInput is a new comment or reply.
type CommentInput struct {
	Body     string
	ParentID int64
}

// NewComment checks that actor may add the comment to the snapshot's
// release and returns it. Replies hang off the thread's first comment.
func NewComment(actor Actor, rel Release, parent *Comment, in CommentInput, now time.Time) (Comment, error) {
	if actor.UserID == 0 {
		return Comment{}, Errorf(EFORBIDDEN, "sign in to take part in the discussion")
	}
	if rel.State == Cancelled {
		return Comment{}, Errorf(ECONFLICT, "the release is cancelled; its discussion is closed")
	}
	body := strings.TrimSpace(in.Body)
	if err := validateBody(body); err != nil {
		return Comment{}, err
	}
	c := Comment{ReleaseID: rel.ID, Cycle: rel.Cycle, AuthorID: actor.UserID, Author: actor.Name, Body: body,
		Mentions: ParseMentions(body), CreatedAt: now, UpdatedAt: now}
	if parent != nil {
		if parent.ReleaseID != rel.ID || parent.Cycle != rel.Cycle {
			return Comment{}, Errorf(ENOTFOUND, "no such comment to reply to in this review cycle")
		}
		c.ParentID = parent.ID
		if parent.ParentID != 0 {
			c.ParentID = parent.ParentID
		}
	}
	return c, nil
}

func validateBody(body string) error {
	p := Problems{}
	validateText(p, "body", "Comment", body, MaxCommentBodyLen, true)
	return p.Err()
}

// EditComment rewrites a comment within the edit window, or, after it,
// appends text to it. Only its author may do either.
func EditComment(actor Actor, c Comment, body string, now time.Time) (Comment, error) {
	if actor.UserID != c.AuthorID {
		return c, Errorf(EFORBIDDEN, "only %s may change this comment", c.Author)
	}
	body = strings.TrimSpace(body)
	if err := validateBody(body); err != nil {
		return c, err
	}
	if c.Editable(now) {
		c.Body = body
	} else {
		c.Body += "\n\n*Added " + now.UTC().Format("2 Jan 15:04 MST") + ":* " + body
		if len([]rune(c.Body)) > MaxCommentBodyLen {
			return c, FieldErrorf("body", "the comment would grow past %d characters", MaxCommentBodyLen)
		}
	}
	c.Mentions = ParseMentions(c.Body)
	c.UpdatedAt = now
	c.Edits++
	return c, nil
}

// CommentResult is the whole change to the discussion: the comment as it
// is to be stored, and the audit.
type CommentResult struct {
	Comment Comment
	Audit   Audit
}

// PostComment is a new comment or reply (see NewComment), with its audit.
func PostComment(actor Actor, rel Release, parent *Comment, in CommentInput, now time.Time) (CommentResult, error) {
	c, err := NewComment(actor, rel, parent, in, now)
	if err != nil {
		return CommentResult{}, err
	}
	verb := "commented"
	if c.ParentID != 0 {
		verb = "replied"
	}
	a := audit(ActionCommentAdd, "%s: %s%s", verb, Excerpt(c.Body), mentionText(c.Mentions))
	a.Causes = mentioned(actor, rel, c)
	return CommentResult{Comment: c, Audit: a}, nil
}

// ReviseComment is a change of a comment (see EditComment), with its audit.
func ReviseComment(actor Actor, c Comment, body string, now time.Time) (CommentResult, error) {
	c, err := EditComment(actor, c, body, now)
	if err != nil {
		return CommentResult{}, err
	}
	return CommentResult{Comment: c, Audit: audit(ActionCommentEdit, "edited a comment: %s", Excerpt(c.Body))}, nil
}

func mentionText(rs RoleSet) string {
	if len(rs) == 0 {
		return ""
	}
	var parts []string
	for _, r := range rs {
		parts = append(parts, "@"+r.Handle())
	}
	return fmt.Sprintf(" (mentions %s)", strings.Join(parts, " "))
}

// Excerpt is the start of a text, on one line, for the audit trail.
func Excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
