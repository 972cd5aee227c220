// Package source delivers raw logs as they arrive, for the live engine: a
// watched directory tree (new files, and the lines appended to growing
// ones) and an S3 bucket prefix (polled by listing, or driven by an SQS
// queue of S3 event notifications). A source hands each new piece of input
// to a Deliver function as a Chunk, which the engine decodes with
// logs.ReadStream, and records in Positions how far it has read only once
// the chunk was delivered, so that a restart from saved Positions neither
// skips nor repeats input.
//
// It imports internal/logs, internal/event, the standard library and the
// AWS SDK only; it must not import the executor, the engine, the store or
// anything that gives meaning to the records it carries.
package source
