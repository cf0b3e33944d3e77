package db

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

const commentColumns = `c.id, c.release_id, c.cycle, COALESCE(c.parent_id, 0), c.author_id, c.author, c.body, c.mentions, c.created_at, c.updated_at, c.edits`

func scanComment(sc scanner) (gonogo.Comment, error) {
	var c gonogo.Comment
	var mentions string
	err := sc.Scan(&c.ID, &c.ReleaseID, &c.Cycle, &c.ParentID, &c.AuthorID, &c.Author, &c.Body, &mentions,
		(*Time)(&c.CreatedAt), (*Time)(&c.UpdatedAt), &c.Edits)
	c.Mentions = parseRoleList(mentions)
	return c, err
}

// parseRoleList reads a comma-separated list of roles.
func parseRoleList(s string) gonogo.RoleSet {
	var rs []gonogo.Role
	for r := range strings.SplitSeq(s, ",") {
		if r != "" {
			rs = append(rs, gonogo.Role(r))
		}
	}
	return gonogo.NewRoleSet(rs...)
}

func findComments(ctx context.Context, q querier, releaseID int64, cycle int) ([]gonogo.Comment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.release_id = ? AND c.cycle = ? ORDER BY c.id`, releaseID, cycle)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanComment)
}

// FindComments returns the discussion of one cycle of a release, oldest first.
func (s *Store) FindComments(ctx context.Context, releaseID int64, cycle int) ([]gonogo.Comment, error) {
	return findComments(ctx, s.read, releaseID, cycle)
}

// FindComment returns one comment of a release.
func (s *Store) FindComment(ctx context.Context, releaseID, id int64) (gonogo.Comment, error) {
	c, err := scanComment(s.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.id = ? AND c.release_id = ?`, id, releaseID))
	return c, notFound(err, "no comment %d on this release", id)
}

// CommentEdit is an earlier text of a comment.
type CommentEdit struct {
	Body     string
	EditedAt time.Time
}

// FindCommentEdits returns the latest limit earlier texts of a comment,
// oldest first.
func (s *Store) FindCommentEdits(ctx context.Context, id int64, limit int) ([]CommentEdit, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT body, edited_at FROM
		(SELECT id, body, edited_at FROM comment_edits WHERE comment_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`, id, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (CommentEdit, error) {
		var e CommentEdit
		err := sc.Scan(&e.Body, (*Time)(&e.EditedAt))
		return e, err
	})
}

// AddComment stores the comment gonogo.PostComment makes of in, judged on
// the release and the comment it replies to as they are inside the
// transaction, and audits it.
func (s *Store) AddComment(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.CommentInput) (gonogo.Comment, error) {
	var out gonogo.Comment
	err := s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		var parent *gonogo.Comment
		if in.ParentID != 0 {
			p, err := scanComment(tx.QueryRow(`SELECT `+commentColumns+` FROM comments c WHERE c.id = ? AND c.release_id = ?`, in.ParentID, releaseID))
			if err != nil {
				return notFound(err, "no comment %d to reply to", in.ParentID)
			}
			parent = &p
		}
		res, err := gonogo.PostComment(a, rel, parent, in, tx.now)
		if err != nil {
			return err
		}
		c := res.Comment
		row, err := tx.Exec(`INSERT INTO comments (release_id, cycle, parent_id, author_id, author, body, mentions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, c.Cycle, sql.NullInt64{Int64: c.ParentID, Valid: c.ParentID != 0},
			c.AuthorID, c.Author, c.Body, rolesCSV(c.Mentions), Time(c.CreatedAt), Time(c.UpdatedAt))
		if err != nil {
			return err
		}
		c.ID, _ = row.LastInsertId()
		out = c
		res.Audit.Causes = pointAt(res.Audit.Causes, c.ID, nil)
		return tx.record(a, releaseID, res.Audit)
	})
	return out, err
}

// EditComment changes a comment as gonogo.ReviseComment makes of body,
// keeping its earlier text, and audits it.
func (s *Store) EditComment(ctx context.Context, a gonogo.Actor, releaseID, id int64, body string) (gonogo.Comment, error) {
	var out gonogo.Comment
	err := s.inTx(ctx, func(tx *Tx) error {
		old, err := scanComment(tx.QueryRow(`SELECT `+commentColumns+` FROM comments c WHERE c.id = ? AND c.release_id = ?`, id, releaseID))
		if err != nil {
			return notFound(err, "no comment %d on this release", id)
		}
		res, err := gonogo.ReviseComment(a, old, body, tx.now)
		if err != nil {
			return err
		}
		c := res.Comment
		if _, err := tx.Exec(`INSERT INTO comment_edits (comment_id, body, edited_at) VALUES (?, ?, ?)`, id, old.Body, Time(c.UpdatedAt)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE comments SET body = ?, mentions = ?, updated_at = ?, edits = ? WHERE id = ?`,
			c.Body, rolesCSV(c.Mentions), Time(c.UpdatedAt), c.Edits, id); err != nil {
			return err
		}
		out = c
		return tx.record(a, releaseID, res.Audit)
	})
	return out, err
}

func rolesCSV(rs gonogo.RoleSet) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, string(r))
	}
	return strings.Join(parts, ",")
}
