package generate

// Rule ids of the seed rules the planted attacks are meant to trigger; they
// appear as Expected.Rule in expected.ndjson.
const (
	// SplunkSeedRuleID is the id of the Splunk seed rule "AWS Bedrock High
	// Number List Foundation Model Failures", as Splunk publishes it.
	SplunkSeedRuleID = "e84b3c74-f742-11ee-9f6e-acde48001122"

	// ElasticSeedRuleID is the id of the Elastic ES|QL seed rule "AWS Bedrock
	// Detected Multiple Attempts to use Denied Models by a Single User" in
	// tripline's rule pack: Elastic's own rule_id for it.
	ElasticSeedRuleID = "17261da3-a6d0-463c-aac8-ea1718afcd20"
)
