package store

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestPgRetry(t *testing.T) {
	deadlock := &pgconn.PgError{Code: "40P01"}
	serial := &pgconn.PgError{Code: "40001"}
	other := &pgconn.PgError{Code: "23505"}
	tests := []struct {
		name      string
		errs      []error // returned by successive calls; nil after the end
		wantCalls int
		wantErr   error
	}{
		{"succeeds at once", nil, 1, nil},
		{"retries a deadlock", []error{deadlock, serial}, 3, nil},
		{"gives up", []error{deadlock, deadlock, deadlock, deadlock, deadlock}, 4, deadlock},
		{"other errors are final", []error{other}, 1, other},
		{"plain errors are final", []error{context.Canceled}, 1, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := pgRetry(context.Background(), func() error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.wantCalls || !errors.Is(err, tt.wantErr) {
				t.Errorf("pgRetry: %d calls, %v; want %d, %v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}
