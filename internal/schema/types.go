package schema

import "strings"

// The ECS view knows no mapping types of its own: every field tripline
// derives is mapped as keyword (or as a number, boolean, date or ip, which
// KQL also matches as whole values) in Elastic's integrations, except the
// few below, mapped as text or match_only_text, which Elasticsearch
// matches by their analysed terms. The table holds the text fields of ECS
// and of the aws and aws_bedrock integrations that rules over CloudTrail
// and Bedrock logs can name; it is not the whole of ECS.
var textFields = map[string]bool{
	"message":           true, // ECS: match_only_text
	"error.message":     true, // ECS: match_only_text
	"error.stack_trace": true,
	"gen_ai.prompt":     true, // aws_bedrock: the prompt text
	"gen_ai.completion": true, // aws_bedrock: the completion text
}

// textMultiFields are keyword fields that ECS also indexes as text under
// "<name>.text" (a multi-field): KQL on "<name>.text" matches terms of the
// keyword field's value.
var textMultiFields = map[string]bool{
	"user_agent.original":  true,
	"url.original":         true,
	"url.full":             true,
	"file.path":            true,
	"process.command_line": true,
}

// TextField reports whether a field of the ECS view is matched as text
// (by terms), and the field whose value it reads: the name itself, or the
// keyword field under a ".text" multi-field.
func TextField(name string) (field string, text bool) {
	if textFields[name] {
		return name, true
	}
	if base, ok := strings.CutSuffix(name, ".text"); ok && textMultiFields[base] {
		return base, true
	}
	return name, false
}
