package db

import (
	"database/sql"
	"strings"
)

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner = interface{ Scan(...any) error }

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanOne scans a row of one column.
func scanOne[T any](sc scanner) (T, error) {
	var v T
	return v, sc.Scan(&v)
}

// collectMap scans every row of two columns, a key and its value.
func collectMap[K comparable, V any](rows *sql.Rows) (map[K]V, error) {
	defer rows.Close()
	out := map[K]V{}
	for rows.Next() {
		var k K
		var v V
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
