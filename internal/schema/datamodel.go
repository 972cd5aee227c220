package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// Dataset is one dataset of a Splunk data model that tripline holds: the
// CIM's Change, Authentication and Network_Traffic models over CloudTrail
// (as the Splunk Add-on for AWS tags and maps CloudTrail events), and the
// Risk model over tripline's risk events.
//
// A dataset's events are the events of its log type that meet its
// constraint and its parents' (the CIM's tags: tag=change for
// All_Changes, tag=instance below it). Its fields are named with the
// lineage of the dataset that defines them: All_Changes.user,
// All_Changes.Instance_Changes.image_id, Authentication.src.
type Dataset struct {
	// Model is the data model's name ("Change").
	Model string
	// Name is the dataset's own name ("All_Changes", "Instance_Changes").
	Name string
	// Parent is the dataset this one inherits from; nil for a root.
	Parent *Dataset
	// terms are this dataset's own constraint, as search terms; the
	// parents' apply too.
	terms func() plan.Expr
	// holds is the log type of the dataset's events; UnknownLogType when
	// tripline reads nothing that the data model holds.
	holds event.LogType
	// none says why the data model holds no events tripline reads.
	none string
}

// FullName is the name tstats and from read the dataset by: the model and
// the dataset ("Change.All_Changes", "Change.Instance_Changes").
func (d *Dataset) FullName() string { return d.Model + "." + d.Name }

// Lineage is the dataset's name prefixed by its parents' ("All_Changes",
// "All_Changes.Instance_Changes"): the prefix of the fields it defines.
func (d *Dataset) Lineage() string {
	if d.Parent == nil {
		return d.Name
	}
	return d.Parent.Lineage() + "." + d.Name
}

// Constraint returns the condition an event meets to be in the dataset:
// its parents' constraints and its own, joined by AND, in SPL search
// terms. Nil when every event of the log type is in it (Risk).
func (d *Dataset) Constraint() plan.Expr {
	var parent plan.Expr
	if d.Parent != nil {
		parent = d.Parent.Constraint()
	}
	var own plan.Expr
	if d.terms != nil {
		own = d.terms()
	}
	switch {
	case parent == nil:
		return own
	case own == nil:
		return parent
	}
	return &plan.Binary{Op: "AND", L: parent, R: own}
}

// LogType returns the log type holding the dataset's events, or false with
// the reason when tripline reads none of them.
func (d *Dataset) LogType() (event.LogType, string) {
	root := d
	for root.Parent != nil {
		root = root.Parent
	}
	return root.holds, root.none
}

// Child returns the dataset named by a node name relative to the model,
// as tstats' nodename= gives it ("All_Changes.Instance_Changes", or the
// dataset's own name), ignoring case.
func (d *Dataset) Child(node string) (*Dataset, bool) {
	for _, c := range datasets {
		if c.Model == d.Model && (strings.EqualFold(c.Lineage(), node) || strings.EqualFold(c.Name, node)) {
			return c, true
		}
	}
	return nil, false
}

// LookupDataset returns the dataset a data model name selects: "Change"
// (its root dataset), "Change.All_Changes", "Change.Instance_Changes" or
// "Change.All_Changes.Instance_Changes". Names compare without case.
func LookupDataset(name string) (*Dataset, bool) {
	model, rest, _ := strings.Cut(name, ".")
	for _, d := range datasets {
		if !strings.EqualFold(d.Model, model) {
			continue
		}
		if rest == "" && d.Parent == nil || rest != "" && (strings.EqualFold(d.Name, rest) || strings.EqualFold(d.Lineage(), rest)) {
			return d, true
		}
	}
	return nil, false
}

// DatasetNames lists the data models tripline holds, for messages.
func DatasetNames() string {
	var names []string
	for _, d := range datasets {
		if d.Parent == nil {
			names = append(names, d.Model)
		}
	}
	return strings.Join(names, ", ")
}

// tagIs is the search term tag=v.
func tagIs(v string) plan.Expr { return &plan.SearchCmp{Field: "tag", Op: "=", Value: v} }

func termsOf(es ...plan.Expr) func() plan.Expr {
	return func() plan.Expr {
		var out plan.Expr
		for _, e := range es {
			if out == nil {
				out = e
			} else {
				out = &plan.Binary{Op: "AND", L: out, R: e}
			}
		}
		return out
	}
}

// The CIM data models, with their datasets' constraints as the CIM
// reference gives them (Change: tag=change, and a tag per child;
// Authentication: tag=authentication, less successful logons of machine
// accounts; Network_Traffic: tag=network tag=communicate).
var (
	allChanges = &Dataset{Model: "Change", Name: "All_Changes", terms: termsOf(tagIs("change")), holds: event.CloudTrail}
	allAuth    = &Dataset{Model: "Authentication", Name: "Authentication", holds: event.CloudTrail,
		terms: termsOf(tagIs("authentication"), &plan.Unary{Op: "NOT", X: &plan.Binary{Op: "AND",
			L: &plan.SearchCmp{Field: "action", Op: "=", Value: "success"},
			R: &plan.SearchCmp{Field: "user", Op: "=", Value: "*$"}}})}
	allTraffic = &Dataset{Model: "Network_Traffic", Name: "All_Traffic", terms: termsOf(tagIs("network"), tagIs("communicate")),
		none: "the Network_Traffic data model holds network flow records (VPC flow logs), which tripline does not read; CloudTrail feeds none"}
	allRisk = &Dataset{Model: "Risk", Name: "All_Risk", holds: event.Risk}
)

var datasets = []*Dataset{
	allChanges,
	{Model: "Change", Name: "Instance_Changes", Parent: allChanges, terms: termsOf(tagIs("instance"))},
	{Model: "Change", Name: "Account_Management", Parent: allChanges, terms: termsOf(tagIs("account"))},
	{Model: "Change", Name: "Auditing_Changes", Parent: allChanges, terms: termsOf(tagIs("audit"))},
	{Model: "Change", Name: "Endpoint_Changes", Parent: allChanges, terms: termsOf(tagIs("endpoint"))},
	{Model: "Change", Name: "Network_Changes", Parent: allChanges, terms: termsOf(tagIs("network"))},
	allAuth,
	{Model: "Authentication", Name: "Failed_Authentication", Parent: allAuth,
		terms: termsOf(&plan.SearchCmp{Field: "action", Op: "=", Value: "failure"})},
	{Model: "Authentication", Name: "Successful_Authentication", Parent: allAuth,
		terms: termsOf(&plan.SearchCmp{Field: "action", Op: "=", Value: "success"})},
	{Model: "Authentication", Name: "Default_Authentication", Parent: allAuth, terms: termsOf(tagIs("default"))},
	{Model: "Authentication", Name: "Privileged_Authentication", Parent: allAuth, terms: termsOf(tagIs("privileged"))},
	allTraffic,
	allRisk,
}
