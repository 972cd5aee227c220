-- A store as schema version 1 left it: the migration verbatim, then rows
-- as that code wrote them.
CREATE TABLE alerts (
	id         text PRIMARY KEY,
	rule_id    text NOT NULL,
	severity   integer NOT NULL,
	ts         timestamptz NOT NULL,
	last_seen  timestamptz NOT NULL,
	status     text NOT NULL,
	updated_at timestamptz NOT NULL,
	doc        json NOT NULL
);
CREATE INDEX alerts_ts ON alerts (ts);
CREATE INDEX alerts_last_seen ON alerts (last_seen);
CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
CREATE TABLE alert_status (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	alert_id   text NOT NULL,
	status     text NOT NULL,
	changed_by text NOT NULL,
	changed_at timestamptz NOT NULL,
	note       text NOT NULL
);
CREATE INDEX alert_status_alert ON alert_status (alert_id, seq);
CREATE TABLE risk_events (
	alert_id    text NOT NULL,
	entity      text NOT NULL,
	threat      boolean NOT NULL,
	time        timestamptz NOT NULL,
	entity_type text NOT NULL,
	score       integer NOT NULL,
	rule_id     text NOT NULL,
	rule_name   text NOT NULL,
	message     text NOT NULL,
	tactics     json NOT NULL,
	techniques  json NOT NULL,
	stories     json NOT NULL,
	PRIMARY KEY (alert_id, entity, threat)
);
CREATE INDEX risk_events_time ON risk_events (time);
CREATE INDEX risk_events_entity_time ON risk_events (entity, time);
CREATE TABLE checkpoints (
	name       text PRIMARY KEY,
	data       bytea NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE TABLE schema_version (version integer NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
INSERT INTO alerts (id, rule_id, severity, ts, last_seen, status, updated_at, doc) VALUES
	('old1', 'r1', 3, '2025-03-01 12:00:00+00', '2025-03-01 12:00:00+00', 'acknowledged', '2025-03-01 12:00:00+00', '{"id":"old1","rule":{"id":"r1","name":"Rule r1","version":1,"language":"esql","severity":"high","risk_score":47,"tags":["AWS"],"threat":[{"framework":"MITRE ATLAS","tactic":{"id":"AML.TA0000","name":"Access"}}]},"timestamp":"2025-03-01T12:00:00Z","window":{"start":"2025-03-01T11:00:00Z","end":"2025-03-01T12:00:00Z"},"group":{"user.name":"alice"},"row":{"user.name":"alice","count":3,"avg_tokens":12.5},"first_seen":"2025-03-01T11:50:00Z","last_seen":"2025-03-01T12:00:00Z","event_count":3,"evidence":[{"file":"logs/a.json.gz","offset":1234,"event_id":"ev-old1","time":"2025-03-01T12:00:00Z"}],"reason":"Rule r1: count=3 for user.name=alice","matches":1}');
INSERT INTO alert_status (alert_id, status, changed_by, changed_at, note) VALUES
	('old1', 'acknowledged', 'bob', '2025-03-01 13:00:00+00', 'mine');
INSERT INTO risk_events (alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories) VALUES
	('old1', '10.0.0.1', true, '2025-03-01 12:00:00+00', 'ip_address', 40, 'r1', 'Rule r1', '', '[]', '[]', '[]'),
	('old1', 'alice', false, '2025-03-01 12:00:00+00', 'user', 40, 'r1', 'Rule r1', 'alice did x', '["AML.TA0000"]', '[]', '[]');
INSERT INTO checkpoints (name, data, updated_at) VALUES ('reader/logs', '\x0001ff', '2025-03-01 12:00:00+00');
