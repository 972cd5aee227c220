package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/exception"
)

// ErrExists is returned when an exception with the same id is in force
// already.
var ErrExists = errors.New("already exists")

// The actions an ExceptionChange records.
const (
	ExceptionCreated = "created"
	ExceptionRemoved = "removed"
)

// ExceptionChange is one change of a stored exception: what was done, by
// whom, when and why.
type ExceptionChange struct {
	ExceptionID string    `json:"exception_id"`
	Action      string    `json:"action"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
	Note        string    `json:"note,omitempty"`
}

// StoredException is an exception the store keeps; Removed is set once it
// was removed, and says by whom, when and why.
type StoredException struct {
	exception.Exception
	Removed *ExceptionChange `json:"removed,omitempty"`
}

// Exceptions keep the exceptions users add from alerts, beside the files
// of exceptions, with the history of every change. The stores Open
// returns implement it.
type Exceptions interface {
	// AddException stores an exception, which must have an id and pass
	// its Check, and records its creation by ch.By. An exception whose id
	// is in force already is ErrExists; one that was removed is put back
	// in force, with the new text.
	AddException(ctx context.Context, e exception.Exception, ch ExceptionChange) error
	// RemoveException ends an exception, recording who and why; an id
	// not in force is ErrNotFound. Its text and history stay.
	RemoveException(ctx context.Context, id string, ch ExceptionChange) error
	// ListExceptions returns the exceptions in force, oldest first; with
	// removed, those removed too.
	ListExceptions(ctx context.Context, removed bool) ([]StoredException, error)
	// ExceptionHistory returns the changes of one exception, or of all
	// when id is empty, oldest first.
	ExceptionHistory(ctx context.Context, id string) ([]ExceptionChange, error)
}

var _ Exceptions = (*sqlStore)(nil)

// exceptionDoc is an exception as its doc column holds it.
func exceptionDoc(e exception.Exception) (string, error) {
	e.Created, e.Expires = e.Created.UTC(), e.Expires.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("cannot encode exception %s: %w", e.ID, err)
	}
	return string(b), nil
}

func (s *sqlStore) AddException(ctx context.Context, e exception.Exception, ch ExceptionChange) error {
	if e.ID == "" {
		return fmt.Errorf("cannot store exception: BUG: no id")
	}
	if err := e.Check(); err != nil {
		return fmt.Errorf("cannot store exception %s: %w", e.ID, err)
	}
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	if e.Created.IsZero() {
		e.Created = ch.At
	}
	doc, err := exceptionDoc(e)
	if err != nil {
		return err
	}
	doing := "store exception " + e.ID
	return s.write(ctx, doing, func(c conn) error {
		res, err := c.exec(ctx, `INSERT INTO exceptions (id, rule_id, created_at, doc, removed_by, removed_note)
			VALUES (?, ?, ?, ?, '', '') ON CONFLICT (id) DO NOTHING`, e.ID, e.Rule, s.d.time(e.Created), doc)
		if err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		} else if n == 0 {
			// The id is taken: put it back in force if it was removed.
			res, err := c.exec(ctx, `UPDATE exceptions SET rule_id = ?, created_at = ?, doc = ?, removed_at = NULL,
				removed_by = '', removed_note = '' WHERE id = ? AND removed_at IS NOT NULL`, e.Rule, s.d.time(e.Created), doc, e.ID)
			if err != nil {
				return fmt.Errorf("cannot %s: %w", doing, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("cannot %s: %w", doing, err)
			} else if n == 0 {
				return fmt.Errorf("cannot %s: %w", doing, ErrExists)
			}
		}
		return s.exceptionChange(ctx, c, e.ID, ExceptionCreated, ch)
	})
}

// exceptionChange records a change of exception id in c's transaction.
func (s *sqlStore) exceptionChange(ctx context.Context, c conn, id, action string, ch ExceptionChange) error {
	if _, err := c.exec(ctx, `INSERT INTO exception_changes (exception_id, action, changed_by, changed_at, note) VALUES (?, ?, ?, ?, ?)`,
		id, action, ch.By, s.d.time(ch.At), ch.Note); err != nil {
		return fmt.Errorf("cannot record change of exception %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) RemoveException(ctx context.Context, id string, ch ExceptionChange) error {
	if ch.At.IsZero() {
		ch.At = time.Now().UTC()
	}
	doing := "remove exception " + id
	return s.write(ctx, doing, func(c conn) error {
		res, err := c.exec(ctx, `UPDATE exceptions SET removed_at = ?, removed_by = ?, removed_note = ? WHERE id = ? AND removed_at IS NULL`,
			s.d.time(ch.At), ch.By, ch.Note, id)
		if err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("cannot %s: %w", doing, err)
		} else if n == 0 {
			return fmt.Errorf("cannot %s: %w", doing, ErrNotFound)
		}
		return s.exceptionChange(ctx, c, id, ExceptionRemoved, ch)
	})
}

func (s *sqlStore) ListExceptions(ctx context.Context, removed bool) ([]StoredException, error) {
	q := `SELECT id, doc, removed_at, removed_by, removed_note FROM exceptions`
	if !removed {
		q += ` WHERE removed_at IS NULL`
	}
	rows, err := conn{s.d, s.r}.query(ctx, q+` ORDER BY created_at ASC, id ASC`)
	return collect(rows, err, "list exceptions", func(r *sql.Rows) (StoredException, error) {
		var (
			x            StoredException
			id, by, note string
			doc          []byte
			removedAt    time.Time
		)
		if err := r.Scan(&id, &doc, nullTimeCol{&removedAt}, &by, &note); err != nil {
			return x, err
		}
		if err := json.Unmarshal(doc, &x.Exception); err != nil {
			return x, fmt.Errorf("cannot decode stored exception %s: %w", id, err)
		}
		x.ID = id
		if !removedAt.IsZero() {
			x.Removed = &ExceptionChange{ExceptionID: id, Action: ExceptionRemoved, By: by, At: removedAt, Note: note}
		}
		return x, nil
	})
}

func (s *sqlStore) ExceptionHistory(ctx context.Context, id string) ([]ExceptionChange, error) {
	var b strings.Builder
	b.WriteString(`SELECT exception_id, action, changed_by, changed_at, note FROM exception_changes`)
	var args []any
	if id != "" {
		b.WriteString(` WHERE exception_id = ?`)
		args = append(args, id)
	}
	b.WriteString(` ORDER BY seq ASC`)
	rows, err := conn{s.d, s.r}.query(ctx, b.String(), args...)
	return collect(rows, err, "read the history of exceptions", func(r *sql.Rows) (ch ExceptionChange, err error) {
		err = r.Scan(&ch.ExceptionID, &ch.Action, &ch.By, timeCol{&ch.At}, &ch.Note)
		return ch, err
	})
}
