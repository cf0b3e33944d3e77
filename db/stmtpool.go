package db

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtPool is a pool of connections (the readers, or the one writer) with
// each query's statement prepared once. database/sql otherwise hands SQLite
// the text of every query to parse anew, and parsing was a good part of
// reading a release's snapshot and of a vote's transaction
// (docs/performance.md).
type stmtPool struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxStmts bounds the prepared statements: queries are written in the code,
// but a few are assembled from filters, and those come in few shapes.
const maxStmts = 512

func (p *stmtPool) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := p.cached(query); st != nil {
		return st
	}
	return p.prepare(ctx, query)
}

// cached is query's statement if it was prepared, else nil.
func (p *stmtPool) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// prepare prepares query's statement, unless the pool holds as many as it
// keeps (then nil, and the query runs unprepared). The lock is not held
// while preparing: that waits for a connection, which for the writer a
// transaction holds, and the transaction asks the pool for its statements.
func (p *stmtPool) prepare(ctx context.Context, query string) *sql.Stmt {
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxStmts
	p.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the query itself reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if had, ok := p.stmts[query]; ok {
		st.Close() // another request prepared it meanwhile
		return had
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[query] = st
	return st
}

// QueryContext runs query through its prepared statement.
func (p *stmtPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its prepared statement.
func (p *stmtPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs query through its prepared statement.
func (p *stmtPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Close closes the statements, then the pool.
func (p *stmtPool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, st := range p.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, p.DB.Close())...)
}

// The methods of Tx below shadow sql.Tx's: the statements of a write are
// prepared once on the writer's connection and bound to each transaction
// (sql.Tx.StmtContext reuses a statement prepared on the same connection).
// A statement is not prepared inside a transaction, which holds the only
// connection preparing would wait for: the query runs unprepared, and is
// prepared after the transaction ends (prepareLater).

func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := tx.stmts.cached(query); st != nil {
		return tx.Tx.StmtContext(ctx, st)
	}
	tx.unprepared = append(tx.unprepared, query)
	return nil
}

// prepareLater prepares the statements tx ran unprepared, now that the
// writer's connection is free.
func (tx *Tx) prepareLater(ctx context.Context) {
	for _, q := range tx.unprepared {
		tx.stmts.prepare(ctx, q)
	}
}

// ExecContext runs query in the transaction through its prepared statement.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction through its prepared statement.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction through its prepared statement.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// Exec is ExecContext without a context of its own.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(context.Background(), query, args...)
}

// Query is QueryContext without a context of its own.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(context.Background(), query, args...)
}

// QueryRow is QueryRowContext without a context of its own.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.QueryRowContext(context.Background(), query, args...)
}
