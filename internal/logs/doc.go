// Package logs reads raw AWS logs into events: CloudTrail and Bedrock
// model-invocation records, from files, directories in the S3 layouts AWS
// delivers, globs and stdin. It sniffs each input's format from its content
// (gzip or plain; a {"Records":[...]} wrapper, a JSON array, one object per
// line, or pretty-printed objects) with Sniff, the one sniffer the live
// directory source uses too; decides each record's log type, time and id;
// and hands good records to a handler from parallel workers. Bad records
// and damaged inputs are counted and reported with file, line and offset,
// and reading goes on.
//
// It imports internal/event, the standard library, fastjson and
// klauspost/compress only; it must not import rules, plans, executors or
// anything that gives meaning to the records it reads.
package logs
