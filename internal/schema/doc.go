// Package schema gives rules the field names their language expects over
// raw AWS records: the ECS view Elastic rules see (as Elastic's aws.cloudtrail
// and aws_bedrock integrations map them), and the raw-plus-CIM view Splunk
// searches see (as the Splunk Add-on for AWS extracts them). It also decides
// which log types an ES|QL index pattern, an SPL sourcetype or a Splunk data
// model selects; the Risk data model's records are tripline's risk events,
// with the field names of Splunk's Risk.All_Risk dataset.
//
// schema imports event and plan only; never a front end or an executor.
package schema
