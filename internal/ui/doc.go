// Package ui is tripline's web UI, embedded in the binary and served by
// `serve` beside the API: the alert queue (filters held in the URL,
// groups by rule or entity, bulk acknowledge and close), an alert's page
// (reason, rule, window, group values and row, the investigation guide,
// MITRE links, evidence as raw JSON, drilldowns run in place, other alerts
// of its entities, status history, the exceptions of its rule and those
// that would have suppressed it, a form to add one), the rules with their
// health and tests, an entity's page (its risk over time as a chart, its
// alerts as one timeline, its Bedrock usage per model per hour, regions
// and addresses from the event archive), and a search of the archive in
// any of the rules' languages.
//
// Everything shown comes from logs and rules an attacker may write to, so
// pages are rendered on the server with html/template, which escapes by
// context; control characters are shown as escapes; a guide's Markdown
// goes through a sanitiser; charts are SVG drawn here. Pages carry a
// Content-Security-Policy that allows only this server's own script and
// style files, and the one script (static/app.js) writes text with
// textContent alone. Nothing is fetched from another host: the UI works
// with no network.
//
// ui reads through store (Store and Views) and the function types of
// server's Options (searches run through server.SearchFunc), and uses server's session and CSRF helpers; server
// mounts its pages (Pages) without importing it. ui never imports the
// engine, the executor or a front end.
package ui
