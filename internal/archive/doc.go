// Package archive keeps what serve read available for investigation after
// the engine has moved on: an index of every source (watched file, S3
// object, ingested body) by the event times it holds, and the ingested
// bodies themselves, compressed and partitioned by day, until a retention
// in event time removes them. Drilldowns and searches ask it for the
// sources of a time range and run the engine's query over those alone.
//
// It must not import the engine, the store or the server: they call it.
package archive
