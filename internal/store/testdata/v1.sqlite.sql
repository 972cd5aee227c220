-- A store as schema version 1 left it: the migration verbatim, then rows
-- as that code wrote them (times in nanoseconds since the epoch).
CREATE TABLE alerts (
	id         TEXT PRIMARY KEY,
	rule_id    TEXT NOT NULL,
	severity   INTEGER NOT NULL,
	ts         INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	status     TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	doc        TEXT NOT NULL
);
CREATE INDEX alerts_ts ON alerts (ts);
CREATE INDEX alerts_last_seen ON alerts (last_seen);
CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
CREATE TABLE alert_status (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	alert_id   TEXT NOT NULL,
	status     TEXT NOT NULL,
	changed_by TEXT NOT NULL,
	changed_at INTEGER NOT NULL,
	note       TEXT NOT NULL
);
CREATE INDEX alert_status_alert ON alert_status (alert_id, seq);
CREATE TABLE risk_events (
	alert_id    TEXT NOT NULL,
	entity      TEXT NOT NULL,
	threat      INTEGER NOT NULL,
	time        INTEGER NOT NULL,
	entity_type TEXT NOT NULL,
	score       INTEGER NOT NULL,
	rule_id     TEXT NOT NULL,
	rule_name   TEXT NOT NULL,
	message     TEXT NOT NULL,
	tactics     TEXT NOT NULL,
	techniques  TEXT NOT NULL,
	stories     TEXT NOT NULL,
	PRIMARY KEY (alert_id, entity, threat)
);
CREATE INDEX risk_events_time ON risk_events (time);
CREATE INDEX risk_events_entity_time ON risk_events (entity, time);
CREATE TABLE checkpoints (
	name       TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
INSERT INTO alerts (id, rule_id, severity, ts, last_seen, status, updated_at, doc) VALUES
	('old1', 'r1', 3, 1740830400000000000, 1740830400000000000, 'acknowledged', 1740830400000000000, '{"id":"old1","rule":{"id":"r1","name":"Rule r1","version":1,"language":"esql","severity":"high","risk_score":47,"tags":["AWS"],"threat":[{"framework":"MITRE ATLAS","tactic":{"id":"AML.TA0000","name":"Access"}}]},"timestamp":"2025-03-01T12:00:00Z","window":{"start":"2025-03-01T11:00:00Z","end":"2025-03-01T12:00:00Z"},"group":{"user.name":"alice"},"row":{"user.name":"alice","count":3,"avg_tokens":12.5},"first_seen":"2025-03-01T11:50:00Z","last_seen":"2025-03-01T12:00:00Z","event_count":3,"evidence":[{"file":"logs/a.json.gz","offset":1234,"event_id":"ev-old1","time":"2025-03-01T12:00:00Z"}],"reason":"Rule r1: count=3 for user.name=alice","matches":1}');
INSERT INTO alert_status (alert_id, status, changed_by, changed_at, note) VALUES
	('old1', 'acknowledged', 'bob', 1740834000000000000, 'mine');
INSERT INTO risk_events (alert_id, entity, threat, time, entity_type, score, rule_id, rule_name, message, tactics, techniques, stories) VALUES
	('old1', '10.0.0.1', 1, 1740830400000000000, 'ip_address', 40, 'r1', 'Rule r1', '', '[]', '[]', '[]'),
	('old1', 'alice', 0, 1740830400000000000, 'user', 40, 'r1', 'Rule r1', 'alice did x', '["AML.TA0000"]', '[]', '[]');
INSERT INTO checkpoints (name, data, updated_at) VALUES ('reader/logs', X'0001FF', 1740830400000000000);
