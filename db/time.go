package db

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeFormat sorts as a string and reads well in the sqlite3 shell.
const timeFormat = "2006-01-02T15:04:05.000Z"

// Time is a time.Time as the store keeps it: UTC text in timeFormat, and
// NULL for the zero time. Time(t) writes t; (*Time)(&t) reads into t, and a
// stored value that is not such a time is an error, never a zero time.
type Time time.Time

// Value writes t as text, or NULL when it is the zero time.
func (t Time) Value() (driver.Value, error) {
	if time.Time(t).IsZero() {
		return nil, nil
	}
	return t.String(), nil
}

// String is t as stored, for keys and comparisons in SQL.
func (t Time) String() string { return time.Time(t).UTC().Format(timeFormat) }

// Scan reads a stored time; NULL is the zero time.
func (t *Time) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*t = Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("read a time: want text, got %T", src)
	}
	v, err := time.Parse(timeFormat, s)
	if err != nil {
		return fmt.Errorf("read a time: %q is not a stored time", s)
	}
	*t = Time(v)
	return nil
}
