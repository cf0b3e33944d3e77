package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gonogo/gonogo"
)

const notesColumns = `n.id, n.release_id, n.title, n.highlights, n.changes, n.fixes, n.known_issues, n.internal, n.links,
	n.status, n.updated_by, n.updated_at, n.published_by, n.published_at, n.amended_at`

// notesRow holds the columns of a notes row that need decoding after the scan.
type notesRow struct {
	links                string
	released             Time           // the release's released_at, where a query selects it
	markedTitle, snippet sql.NullString // search results only
	score                float64        // search results only: the rank, which orders them
	noteID               int64          // search results only: the tie-break
}

func (r *notesRow) dests(n *gonogo.Notes) []any {
	return []any{&n.ID, &n.ReleaseID, &n.Title, &n.Highlights, &n.Changes, &n.Fixes, &n.KnownIssues, &n.Internal, &r.links,
		&n.Status, &n.UpdatedBy, (*Time)(&n.UpdatedAt), &n.PublishedBy, (*Time)(&n.PublishedAt), (*Time)(&n.AmendedAt)}
}

func (r *notesRow) decode(n *gonogo.Notes) error {
	return json.Unmarshal([]byte(r.links), &n.Links)
}

func scanNotes(sc scanner) (gonogo.Notes, error) {
	var n gonogo.Notes
	var r notesRow
	if err := sc.Scan(r.dests(&n)...); err != nil {
		return n, err
	}
	return n, r.decode(&n)
}

// withExtra lets scanRelease read the release's columns while the rest of
// the row lands in extra.
type withExtra struct {
	sc    scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// scanEntry reads a row of releaseColumns, notesColumns, r.released_at and,
// when marked, the highlighted title and snippet, the rank and the notes'
// id of a search.
func scanEntry(marked bool) func(sc scanner) (gonogo.NotesEntry, error) {
	return func(sc scanner) (gonogo.NotesEntry, error) {
		var e gonogo.NotesEntry
		var r notesRow
		extra := append(r.dests(&e.Notes), &r.released)
		if marked {
			extra = append(extra, &r.markedTitle, &r.snippet, &r.score, &r.noteID)
		}
		rel, err := scanRelease(withExtra{sc, extra})
		if err != nil {
			return e, err
		}
		e.Release, e.ShippedAt = rel, time.Time(r.released)
		e.MarkedTitle, e.Snippet = r.markedTitle.String, r.snippet.String
		return e, r.decode(&e.Notes)
	}
}

func findNotes(ctx context.Context, q querier, releaseID int64) (gonogo.Notes, error) {
	n, err := scanNotes(q.QueryRowContext(ctx, `SELECT `+notesColumns+` FROM notes n WHERE n.release_id = ?`, releaseID))
	if errors.Is(err, sql.ErrNoRows) {
		return gonogo.Notes{ReleaseID: releaseID}, nil
	}
	return n, err
}

// notesStatus is what the gate needs of a release's notes.
func notesStatus(ctx context.Context, q querier, releaseID int64) (gonogo.NotesStatus, error) {
	var st gonogo.NotesStatus
	err := q.QueryRowContext(ctx, `SELECT status FROM notes WHERE release_id = ?`, releaseID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return gonogo.NotesNone, nil
	}
	return st, err
}

// findNotesStatuses calls fn with the notes status of every release matching
// where (a releaseWhere clause over r) that has notes.
func findNotesStatuses(ctx context.Context, q querier, where string, args []any, fn func(int64, gonogo.NotesStatus)) error {
	rows, err := q.QueryContext(ctx, `SELECT n.release_id, n.status FROM notes n JOIN releases r ON r.id = n.release_id `+where, args...)
	if err != nil {
		return err
	}
	type row struct {
		id int64
		st gonogo.NotesStatus
	}
	found, err := collect(rows, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.st)
	})
	for _, r := range found {
		fn(r.id, r.st)
	}
	return err
}

// FindNotes returns the notes of a release; a release without notes gets
// empty ones with no status.
// It is remembered until the next commit (memo).
func (s *Store) FindNotes(ctx context.Context, releaseID int64) (gonogo.Notes, error) {
	return remember(ctx, s, fmt.Sprintf("notes %d", releaseID), func(ctx context.Context) (gonogo.Notes, error) { return s.readNotes(ctx, releaseID) }, Plain[gonogo.Notes])
}

func (s *Store) readNotes(ctx context.Context, releaseID int64) (gonogo.Notes, error) {
	return findNotes(ctx, s.read, releaseID)
}

// SaveNotes writes what gonogo.EditNotes makes of in, in one transaction:
// the notes; on publication or amendment the revision kept and the search
// index; on publication the checklist item it completes; and the audit events.
func (s *Store) SaveNotes(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.NotesInput, publish bool) (gonogo.NotesChange, error) {
	var out gonogo.NotesChange
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.saveNotes(ctx, a, releaseID, in, publish)
		return err
	})
	return out, err
}

func (tx *Tx) saveNotes(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.NotesInput, publish bool) (gonogo.NotesChange, error) {
	snap, err := tx.snapshot(ctx, releaseID)
	if err != nil {
		return gonogo.NotesChange{}, err
	}
	cur, err := findNotes(ctx, txQuerier{tx}, releaseID)
	if err != nil {
		return gonogo.NotesChange{}, err
	}
	ch, err := gonogo.EditNotes(a, snap, cur, in, publish, tx.now)
	if err != nil || ch.Kind == gonogo.NotesUnchanged {
		return ch, err
	}
	n := &ch.Notes
	if err := tx.writeNotes(n); err != nil {
		return ch, err
	}
	if err := tx.record(a, releaseID, ch.Audit); err != nil {
		return ch, err
	}
	if ch.Kind != gonogo.NotesSaved {
		if err := tx.keepRevision(a, ch); err != nil {
			return ch, err
		}
		if err := tx.indexNotes(snap.Release, *n); err != nil {
			return ch, err
		}
	}
	if ch.Item != nil {
		if err := tx.applyItem(a, releaseID, *ch.Item); err != nil {
			return ch, err
		}
	}
	return ch, tx.touchRelease(releaseID)
}

// writeNotes inserts or updates the notes row, filling in its id.
func (tx *Tx) writeNotes(n *gonogo.Notes) error {
	links, err := json.Marshal(n.Links)
	if err != nil {
		return err
	}
	if n.Links == nil {
		links = []byte("[]")
	}
	args := []any{n.Title, n.Highlights, n.Changes, n.Fixes, n.KnownIssues, n.Internal, string(links), string(n.Status),
		n.UpdatedBy, Time(n.UpdatedAt), n.PublishedBy, Time(n.PublishedAt), Time(n.AmendedAt)}
	if n.ID != 0 {
		_, err := tx.Exec(`UPDATE notes SET title = ?, highlights = ?, changes = ?, fixes = ?, known_issues = ?, internal = ?, links = ?,
			status = ?, updated_by = ?, updated_at = ?, published_by = ?, published_at = ?, amended_at = ? WHERE id = ?`, append(args, n.ID)...)
		return err
	}
	res, err := tx.Exec(`INSERT INTO notes (title, highlights, changes, fixes, known_issues, internal, links,
		status, updated_by, updated_at, published_by, published_at, amended_at, release_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, n.ReleaseID)...)
	if err != nil {
		return err
	}
	n.ID, err = res.LastInsertId()
	return err
}

// keepRevision stores the published text as it now reads.
func (tx *Tx) keepRevision(a gonogo.Actor, ch gonogo.NotesChange) error {
	content, err := json.Marshal(ch.Notes.NotesContent)
	if err != nil {
		return err
	}
	kind := gonogo.RevisionAmend
	if ch.Kind == gonogo.NotesFirstPub {
		kind = gonogo.RevisionPublish
	}
	_, err = tx.Exec(`INSERT INTO notes_revisions (notes_id, number, kind, note, content, by_id, by_name, at)
		VALUES (?, (SELECT COALESCE(max(number), 0) + 1 FROM notes_revisions WHERE notes_id = ?), ?, ?, ?, ?, ?, ?)`,
		ch.Notes.ID, ch.Notes.ID, string(kind), ch.Note, string(content),
		sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}, a.Name, Time(tx.now))
	return err
}

// indexNotes puts the customer-facing text of published notes in the
// search index, replacing what was there.
func (tx *Tx) indexNotes(rel gonogo.Release, n gonogo.Notes) error {
	if _, err := tx.Exec(`DELETE FROM notes_fts WHERE rowid = ?`, n.ID); err != nil {
		return err
	}
	body := strings.Join([]string{n.Highlights, n.Changes, n.Fixes, n.KnownIssues}, "\n\n")
	_, err := tx.Exec(`INSERT INTO notes_fts (rowid, title, body, release) VALUES (?, ?, ?, ?)`,
		n.ID, n.Title, body, rel.Product+" "+rel.Version)
	return err
}

// FindNotesRevisions returns the kept revisions of notes, oldest first.
func (s *Store) FindNotesRevisions(ctx context.Context, notesID int64) ([]gonogo.NotesRevision, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, notes_id, number, kind, note, content, COALESCE(by_id, 0), by_name, at
		FROM notes_revisions WHERE notes_id = ? ORDER BY number`, notesID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (gonogo.NotesRevision, error) {
		var r gonogo.NotesRevision
		var content string
		if err := sc.Scan(&r.ID, &r.NotesID, &r.Number, &r.Kind, &r.Note, &content, &r.ByID, &r.By, (*Time)(&r.At)); err != nil {
			return r, err
		}
		return r, json.Unmarshal([]byte(content), &r.Content)
	})
}

const entryFrom = ` FROM notes n JOIN releases r ON r.id = n.release_id LEFT JOIN users m ON m.id = r.manager_id `

// shippedFrom reads the releases before their notes (CROSS JOIN keeps
// SQLite to that order), so that a list of what shipped walks the shipped
// releases newest first and stops at its limit.
const shippedFrom = ` FROM releases r CROSS JOIN notes n ON n.release_id = r.id LEFT JOIN users m ON m.id = r.manager_id `

// FindNotesEntry returns the published notes of product's version: of its
// live release, when a cancelled one of the same version is beside it.
func (s *Store) FindNotesEntry(ctx context.Context, product, version string) (gonogo.NotesEntry, error) {
	e, err := scanEntry(false)(s.read.QueryRowContext(ctx, `SELECT `+releaseColumns+`, `+notesColumns+`, r.released_at`+entryFrom+`
		WHERE r.id = (SELECT r.id FROM releases r WHERE r.product = ? AND r.version = ? ORDER BY `+liveFirst+` LIMIT 1)
		AND n.status = 'published'`, product, version))
	return e, notFound(err, "%s %s has no published release notes", product, version)
}

// defaultNotesLimit bounds a list of notes when the filter does not.
const defaultNotesLimit = 100

// FindPublishedNotes returns published notes matching f: newest first, or,
// with a search, best match first with the matched words marked. A search
// the full-text engine cannot read is an EINVALID error on the "q" field.
// It is remembered until the next commit (memo).
func (s *Store) FindPublishedNotes(ctx context.Context, f gonogo.NotesFilter) ([]gonogo.NotesEntry, error) {
	return remember(ctx, s, fmt.Sprintf("published notes %#v", f), func(ctx context.Context) ([]gonogo.NotesEntry, error) { return s.readPublishedNotes(ctx, f) }, slices.Clone[[]gonogo.NotesEntry])
}

func (s *Store) readPublishedNotes(ctx context.Context, f gonogo.NotesFilter) ([]gonogo.NotesEntry, error) {
	var since string
	if f.Since != "" {
		var err error
		if since, err = s.shippedAt(ctx, f.Product, f.Since); err != nil {
			return nil, err
		}
	}
	conds, args := notesConds(f, since)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultNotesLimit
	}
	query := strings.TrimSpace(f.Query)
	if query == "" {
		// Newest first, walking an index in its order and stopping at the
		// limit: notes_published for every published note, or the shipped
		// releases (releases_shipped, releases_product_shipped) first.
		q, args := notesListQuery(f.ShippedOnly, conds, args, limit)
		rows, err := s.read.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanEntry(false))
	}
	out, err := s.searchNotes(ctx, ftsQuery(query), conds, args, limit)
	if isQueryError(err) {
		// Syntax the reader did not mean, a stray quote or parenthesis:
		// search the words they typed, as words.
		words := wordsQuery(query)
		if words == "" {
			return nil, nil
		}
		out, err = s.searchNotes(ctx, words, conds, args, limit)
	}
	if isQueryError(err) {
		return nil, searchError(query)
	}
	return out, err
}

// notesConds are the conditions on n and r of the notes f asks for; since
// is when f.Since shipped.
func notesConds(f gonogo.NotesFilter, since string) ([]string, []any) {
	conds, args := []string{"n.status = 'published'"}, []any{}
	if f.Product != "" {
		conds, args = append(conds, "r.product = ?"), append(args, f.Product)
	}
	if f.ShippedOnly {
		conds = append(conds, "r.state = 'released'")
	}
	if since != "" {
		conds, args = append(conds, "r.released_at > ?"), append(args, since)
	}
	return conds, args
}

// notesListQuery lists the notes that meet conds newest first.
func notesListQuery(shippedOnly bool, conds []string, args []any, limit int) (string, []any) {
	from, order := entryFrom, "n.published_at DESC, n.id DESC"
	if shippedOnly {
		from, order = shippedFrom, "r.released_at DESC, r.id DESC"
	}
	return `SELECT ` + releaseColumns + `, ` + notesColumns + `, r.released_at` + from + `
		WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`, append(args, limit)
}

// searchHorizon is how many of the newest matching notes a search ranks.
// Ranking every match made a common word cost as much as the history
// (every note ever published matches "customer"); the newest few hundred
// matches hold what support looks for, and a rarer word, a product or a
// phrase reaches further back, since only matches count.
const searchHorizon = 300

// searchNotes runs a full-text search for match, an FTS5 query, among the
// notes that meet conds: it ranks the newest searchHorizon matches (walking
// the index from the newest note back) and returns the limit best.
func (s *Store) searchNotes(ctx context.Context, match string, conds []string, args []any, limit int) ([]gonogo.NotesEntry, error) {
	q, args := searchQuery(match, conds, args, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEntry(true))
}

// searchQuery marks the words of every note it ranks: FTS5 can mark them
// only while it walks the matches, and asking it again for the best few
// afterwards ran the whole search once per note shown.
func searchQuery(match string, conds []string, args []any, limit int) (string, []any) {
	// Title matches weigh most, then product and version, then the text.
	return `SELECT * FROM (
			SELECT ` + releaseColumns + `, ` + notesColumns + `, r.released_at,
				highlight(notes_fts, 0, ?, ?), snippet(notes_fts, 1, ?, ?, '…', 24),
				bm25(notes_fts, 10.0, 1.0, 5.0) AS score, n.id AS note_id
			FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid JOIN releases r ON r.id = n.release_id
				LEFT JOIN users m ON m.id = r.manager_id
			WHERE notes_fts MATCH ? AND ` + strings.Join(conds, " AND ") + `
			ORDER BY notes_fts.rowid DESC LIMIT ?
		) ORDER BY score, published_at DESC, note_id DESC LIMIT ?`,
		append(append([]any{gonogo.MarkStart, gonogo.MarkEnd, gonogo.MarkStart, gonogo.MarkEnd, match}, args...), searchHorizon, limit)
}

// shippedAt returns when product's version shipped, for "since" filters.
func (s *Store) shippedAt(ctx context.Context, product, version string) (string, error) {
	var at sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT released_at FROM releases WHERE product = ? AND version = ?
		ORDER BY released_at IS NULL, id DESC LIMIT 1`, product, version).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !at.Valid) {
		return "", gonogo.FieldErrorf("since", "%s %s has not shipped; choose a version that did", product, version)
	}
	return at.String, err
}

// FindNotesProducts returns the products that have published notes, sorted;
// with shippedOnly, only those with notes of a shipped release.
// It is remembered until the next commit (memo).
func (s *Store) FindNotesProducts(ctx context.Context, shippedOnly bool) ([]string, error) {
	return remember(ctx, s, fmt.Sprintf("notes products %t", shippedOnly), func(ctx context.Context) ([]string, error) { return s.readNotesProducts(ctx, shippedOnly) }, slices.Clone[[]string])
}

// readNotesProducts walks the products one by one (each the least product
// after the last, a seek on releases_version) and asks of each whether a
// release of it has published notes, stopping at the first: a read that
// grows with the products, not with their releases.
func (s *Store) readNotesProducts(ctx context.Context, shippedOnly bool) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, notesProductsQuery(shippedOnly))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[string])
}

func notesProductsQuery(shippedOnly bool) string {
	released := ""
	if shippedOnly {
		released = ` AND r.state = 'released'`
	}
	return `WITH RECURSIVE p (product) AS (
			SELECT min(product) FROM releases
			UNION ALL
			SELECT (SELECT min(product) FROM releases WHERE product > p.product) FROM p WHERE p.product IS NOT NULL
		)
		SELECT product FROM p WHERE product IS NOT NULL AND EXISTS (
			SELECT 1 FROM releases r CROSS JOIN notes n ON n.release_id = r.id
			WHERE r.product = p.product AND n.status = 'published'` + released + `)
		ORDER BY product`
}

// ProductChangedAt returns when product's releases last changed, or those
// of every product when product is empty; on a board without releases, when
// its first person was made. A feed with no entry is as new as that.
func (s *Store) ProductChangedAt(ctx context.Context, product string) (time.Time, error) {
	var at Time
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(
		(SELECT MAX(updated_at) FROM releases WHERE ? = '' OR product = ?),
		(SELECT MIN(created_at) FROM users))`, product, product).Scan(&at)
	return time.Time(at), err
}

func searchError(q string) error {
	return gonogo.FieldErrorf("q", "the search %q could not be read: search for words, \"a phrase in quotes\", or combine words with OR and NOT", q)
}

// isQueryError reports whether err is FTS5 refusing the search text. The
// statement itself is fixed, so a plain SQLite error here comes from what
// the reader typed; the messages tell it from anything else.
func isQueryError(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_ERROR {
		return false
	}
	msg := se.Error()
	for _, m := range []string{"fts5:", "unterminated string", "unknown special query", "no such column"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// ftsQuery makes a reader's search forgiving: a plain word also matches the
// words it begins ("refun" finds "refund"), and a term with punctuation FTS5
// would refuse ("PAY-142", "2.4.0") is searched as a phrase. Anything using
// FTS5's own syntax (quotes, parentheses, *, :, ^) is passed on as typed.
func ftsQuery(q string) string {
	fields := strings.Fields(q)
	for i, f := range fields {
		switch {
		case f == "AND" || f == "OR" || f == "NOT" || f == "NEAR":
		case strings.ContainsAny(f, `"()*:^{}+`):
		case isBareword(f):
			fields[i] = f + "*"
		default:
			fields[i] = `"` + f + `"*`
		}
	}
	return strings.Join(fields, " ")
}

// wordsQuery reads q as words alone, for a search whose syntax FTS5
// refused: FTS5's own characters part words, each word becomes a quoted
// string (so nothing in it is syntax) that also matches the words it
// begins, and the operators, with nothing left to join, are dropped. It is
// "" when q holds no word at all.
func wordsQuery(q string) string {
	var out []string
	for _, f := range strings.Fields(ftsSyntax.Replace(q)) {
		switch {
		case f == "AND" || f == "OR" || f == "NOT" || f == "NEAR":
		case strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0:
		default:
			out = append(out, `"`+f+`"*`)
		}
	}
	return strings.Join(out, " ")
}

// ftsSyntax turns FTS5's syntax characters into spaces.
var ftsSyntax = strings.NewReplacer(`"`, " ", "(", " ", ")", " ", "*", " ", ":", " ", "^", " ", "{", " ", "}", " ")

// isBareword reports whether FTS5 reads s as a plain word: letters, digits,
// underscores and anything beyond ASCII.
func isBareword(s string) bool {
	for _, r := range s {
		if r < 128 && !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			return false
		}
	}
	return true
}
