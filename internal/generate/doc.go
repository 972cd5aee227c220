// Package generate writes synthetic but realistic AWS logs for a day: CloudTrail
// delivery files and Bedrock model-invocation log files, laid out as AWS
// delivers them to S3, with attacks planted at known places and the alerts
// they must raise written to expected.ndjson.
//
// The benign background is a few hundred principals (IAM users, IAM Identity
// Center sessions, Lambda, EC2 and ECS roles, AWS services and a
// cross-account deployer) calling realistic APIs from several regions with a
// daily rhythm, sprinkled with benign errors. The planted attacks drive the
// two seed rules (see ids.go), each with near misses that must not alert:
//
//   - Splunk "AWS Bedrock High Number List Foundation Model Failures": one
//     leaked IAM access key calls ListFoundationModels 25 times in 20 minutes
//     from an unusual IP, all AccessDenied. Near misses: 9 failures in an
//     hour; 12 failures split 6/6 over two source IPs; failures whose
//     errorCode is AccessDeniedException.
//   - Elastic "AWS Bedrock Detected Multiple Attempts to use Denied Models by
//     a Single User": a stolen role session invokes 5 denied models 6 times
//     each within 15 minutes (AccessDeniedException). Near misses: 3 denials
//     on one model; denials coded "accessdeniedexception" in lower case; 8
//     denials at least an hour apart.
//
// Scenario writes the same kind of background (a full day for "benign", a
// fifth of one for the others) with one part of the Bedrock attack
// lifecycle planted in it (recon, probing, enabling, evasion, misuse,
// persistence, or the whole LLMjacking story), and expects the alerts of
// the whole built-in rule pack: the benign day and the near misses every
// scenario shares must raise none. Principals a scenario plants Bedrock
// activity for make no Bedrock calls of their own, so expectations are exact.
//
// Files: CloudTrail writes one or more files per region and 5-minute slot,
// named by the slot's end (so the day's last slot lands in the next day's
// directory, as CloudTrail does), each a gzip'd {"Records":[...]} sorted by
// eventTime; Bedrock writes one file of JSON lines per region and slot under
// the hour's directory. Invocations also appear in CloudTrail (same
// requestId), and benign ListFoundationModels and invocation denials are
// only ever planted, never random, so the seed rules' groups are exact.
//
// Output depends only on the Options: the same seed gives the same bytes,
// whatever the number of CPUs. Files are generated in parallel, each from
// its own random stream.
//
// The package is a test and benchmark tool. It must not import any other
// tripline package, so that the data it makes stays independent of the code
// it checks.
package generate
