// Package inference answers the prompts of ES|QL's COMPLETION command by
// calling the inference endpoints a user configured: an OpenAI-compatible
// chat-completions API (POST {url}/v1/chat/completions, a model, an API key
// read from an environment variable) or Amazon Bedrock's Converse API. A
// Config maps the inference_id a rule names to its endpoint; a Client
// makes the calls with a timeout, counts them, their failures and the rows
// past a rule's limit, and never lets a failure be more than a null answer.
//
// Prompts hold text from logs, which attackers write: they are sent as the
// text of a user message, as data, and nothing in them is read here.
//
// inference imports exec (for the CompleteFunc it serves), duration, the
// AWS SDK, yaml and the standard library; never a front end or the engine.
package inference
