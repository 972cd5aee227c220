package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// riskFields are the fields of Splunk's Risk data model (dataset All_Risk)
// as an SPL search sees them on tripline's risk records. Every field but
// _time and the constants is the record's own JSON path of that name;
// dotted names ("annotations.mitre_attack.mitre_tactic") are nested paths.
var riskFields = map[string]field{
	"_time":                                 fn(epochTime),
	"normalized_risk_object":                path("normalized_risk_object"),
	"risk_object":                           path("risk_object"),
	"risk_object_type":                      path("risk_object_type"),
	"risk_score":                            path("risk_score"),
	"calculated_risk_score":                 path("calculated_risk_score"),
	"threat_object":                         path("threat_object"),
	"threat_object_type":                    path("threat_object_type"),
	"search_name":                           path("search_name"),
	"source":                                path("source"),
	"risk_message":                          path("risk_message"),
	"analyticstories":                       path("analyticstories"),
	"annotations._all":                      path("annotations._all"),
	"annotations.mitre_attack.mitre_tactic": path("annotations.mitre_attack.mitre_tactic"),
	"annotations.mitre_attack.mitre_tactic_id":    path("annotations.mitre_attack.mitre_tactic_id"),
	"annotations.mitre_attack.mitre_technique_id": path("annotations.mitre_attack.mitre_technique_id"),
	"alert_id":   path("alert_id"),
	"rule_id":    path("rule_id"),
	"index":      fn(constant("risk")),
	"sourcetype": fn(constant("stash")),
	"_raw":       fn(rawText),
}

// riskKeys are the top-level keys of a risk record.
var riskKeys = setOf("_time", "normalized_risk_object", "risk_object", "risk_object_type", "risk_score", "calculated_risk_score",
	"threat_object", "threat_object_type", "search_name", "source", "risk_message", "analyticstories",
	"annotations", "alert_id", "rule_id")

// riskDataset is the prefix "| datamodel Risk All_Risk search" puts on the
// names of the dataset's fields; it reads the same fields.
const riskDataset = "All_Risk."

// trimDataset removes the All_Risk. prefix of a risk field name.
func trimDataset(lt event.LogType, name string) string {
	if lt == event.Risk && len(name) > len(riskDataset) && strings.EqualFold(name[:len(riskDataset)], riskDataset) {
		return name[len(riskDataset):]
	}
	return name
}
