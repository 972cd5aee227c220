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

// Rule ids of the rest of the built-in pack, as the scenarios expect them.
const (
	ruleAgentChanged         = "4217569e-1cea-437b-a1d2-d58912fc2767"
	ruleGuardrailDeleted     = "8ff2d689-e044-4e7b-beec-dc2307958328"
	ruleGuardrailWeakened    = "f308ab55-1ed6-4152-b8d5-c276d9534994"
	ruleLoggingDisabled      = "ab47eede-d12f-485d-bce0-e63a20b087eb"
	ruleRefusedAcrossModels  = "deb857a1-dbe5-40a6-9290-8d459aaeddf7"
	ruleKnowledgeBase        = "b8abc7e0-88e8-4018-b0d0-c8f5bad1a7ac"
	ruleLoggingChecked       = "6a913d17-a89a-4fa9-80b1-2731db26d45b"
	ruleModelAccessEnabled   = "5345f9ca-89f3-4e8e-a36f-a0c78b1284b0"
	ruleModelAccessAKIA      = "f7cf4aeb-07a3-483f-9b13-66b4b93adb59"
	ruleAvailabilityPolling  = "53e8acc8-d4f8-4122-a0ff-67ad5a5e0b11"
	ruleDiscoveryFailures    = "4aad525a-c03a-4840-826f-827467e1ad89"
	ruleModelFromAnother     = "a0624dd3-ed54-46b0-a3df-3d23757ad0b2"
	ruleModelImported        = "71bd7b21-2d8c-4a19-9c96-b0b768d4e188"
	ruleDeniedModelVariety   = "9d4b2e67-1f8c-4a35-b6d0-7c2e9a1f54b8"
	ruleGuardrailBypass      = "c9f1b7e4-8d2a-4063-95e8-a4c7d1f2b09e"
	ruleGuardrailInterventns = "b8e2f6d1-45a9-4c3e-9b71-0e6d8a2c5f37"
	ruleGuardrailFindings    = "3c7e91a4-d05b-4f62-a8e3-91b4c6d27f08"
	ruleOutsideGeography     = "71c5e9b3-2a4d-4e86-b0f7-5d3a8c1e9f24"
	ruleNewInferenceRegion   = "4f8d2a19-c6e3-4b07-9a5d-e81b3c7f0a62"
	rulePromptInjection      = "6a1d47e0-93c2-4b5f-8e7a-d2f05c3b8e14"
	ruleSecretsInPrompts     = "0f3c9a52-6b1e-4d7a-9f08-2c5e7b41d9a3"
	ruleTokenSpike           = "a2d6f0c8-5e3b-4917-8c2a-6b9e1d4f7a35"
	ruleValidationProbes     = "e5a08c3f-7b26-4d91-8c4e-3f1a6b9d20c7"
)
