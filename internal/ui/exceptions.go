package ui

import (
	"context"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/server"
)

// alertExceptions is what an alert's page says of exceptions: those that
// apply to its rule, those in force that match its values (it would have
// been suppressed had they been there when it was raised), and the fields
// an exception added from it may name.
type alertExceptions struct {
	Applies    []server.ExceptionView
	Suppressed []server.ExceptionView
	Fields     []exceptionField
	Expired    map[string]bool // ids of exceptions past their expiry
}

// exceptionField is one value of the alert an exception may name: a
// group-by value first, then the result columns.
type exceptionField struct {
	Name, Value string
	Group       bool
}

// maxExceptionValue bounds the values the form offers: a megabyte of
// prompt is not a value anyone excepts.
const maxExceptionValue = 2048

// exceptionsOf gathers an alert's exceptions.
func (u *UI) exceptionsOf(ctx context.Context, a *alert.Alert) (*alertExceptions, error) {
	now := u.opt.Now()
	all, err := server.ListExceptions(ctx, u.opt.Store, u.opt.FileExceptions, false, now)
	if err != nil {
		return nil, err
	}
	d := &alertExceptions{Expired: map[string]bool{}}
	get := alertValues(a)
	for _, x := range all {
		if !x.AppliesTo(a.Rule.ID) {
			continue
		}
		d.Applies = append(d.Applies, x)
		if !x.Active {
			d.Expired[x.ID] = true
			continue
		}
		m := exception.NewMatcher([]exception.Exception{x.Exception}, a.Rule.ID, schema.Raw, nil, func() time.Time { return now })
		if m.Row(get) != nil {
			d.Suppressed = append(d.Suppressed, x)
		}
	}
	seen := map[[2]string]bool{}
	add := func(fs alert.Fields, group bool) {
		for _, f := range fs {
			for _, v := range f.Value.Values() {
				if v.IsNull() {
					continue
				}
				text := v.String()
				if s, ok := v.Str(); ok {
					text = s
				}
				k := [2]string{f.Name, text}
				if text == "" || len(text) > maxExceptionValue || len(f.Name) > maxExceptionValue || seen[k] {
					continue
				}
				seen[k] = true
				d.Fields = append(d.Fields, exceptionField{Name: f.Name, Value: text, Group: group})
			}
		}
	}
	add(a.Group, true)
	add(a.Row, false)
	return d, nil
}

// alertValues reads a column of the alert's result row, or its group-by
// values, as an exception's Row check reads a result.
func alertValues(a *alert.Alert) func(string) event.Value {
	return func(name string) event.Value {
		for _, fs := range []alert.Fields{a.Row, a.Group} {
			for _, f := range fs {
				if f.Name == name {
					return f.Value
				}
			}
		}
		return event.Value{}
	}
}
