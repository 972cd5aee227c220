// Package schema gives rules the field names their language expects over
// raw AWS records: the ECS view Elastic rules see (as Elastic's aws.cloudtrail
// and aws_bedrock integrations map them), and the raw-plus-CIM view Splunk
// searches see (as the Splunk Add-on for AWS extracts them). It also decides
// which log types an ES|QL index pattern, an SPL sourcetype or a Splunk data
// model selects; the Risk data model's records are tripline's risk events,
// with the field names of Splunk's Risk.All_Risk dataset. The CIM's Change
// and Authentication data models are built over CloudTrail as the add-on
// tags and maps its events (datamodel.go, cim_datamodel.go): a dataset is
// the events its tags select, its fields are named under the dataset
// (All_Changes.user) and read "unknown" where the event has nothing.
// Splunk's accelerated summaries have no counterpart: tripline always reads
// the events, so summariesonly changes nothing. The ECS fields Elastic's
// pipeline derives from GeoIP and ASN databases (source.geo.*,
// source.as.*) read the databases an Enrich hands to ResolveWith; without
// one they are null, and Enrich.Missing says so.
//
// schema imports event and plan only; never a front end or an executor.
package schema
