// Package rules is tripline's built-in rule pack: detections in tripline's
// native YAML (see README.md), embedded in the binary. It holds data only and
// imports nothing of tripline's own; internal/rule loads it with
// rule.LoadFS(rules.FS, ".").
package rules

import "embed"

// FS holds the pack's rule files (*.yaml) at its root.
//
//go:embed *.yaml
var FS embed.FS
