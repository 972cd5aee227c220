// Package alert is what tripline raises: the alert model, its content-based
// id, the rendering of reasons and drilldowns, and the output formats.
//
// alert imports event and rule (for the rule model). It never imports the
// executor, a front end or a store.
package alert
