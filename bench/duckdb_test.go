package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// The SQL below answers the two seed rules the way tripline's schedules
// evaluate them. Both read the gzip files straight from the day directory
// on every run; nothing is loaded into tables beforehand. Each query's FROM
// is filled in by a duckReaders: the typed one names the columns the query
// uses, the auto one leaves the schema to DuckDB's detection.
//
// Elastic (ES|QL) seed: every 10 minutes, over the last 60 minutes. A tick
// at t (a multiple of 10 minutes since the epoch) covers [t-60m, t), that
// is the six 10-minute panes before it. Each pane's count is spread to the
// six ticks whose windows hold it and summed per tick, so every window of
// every group is evaluated, as tripline does. ES|QL's == is
// case-sensitive, and a null key is a group of its own (GROUP BY does the
// same).
const elasticSQL = `
WITH ev AS (
	SELECT "identity".arn AS user_id,
	       modelId AS model_id,
	       accountId AS account_id,
	       epoch_us(CAST("timestamp" AS TIMESTAMPTZ)) // 600000000 AS pane
	FROM %s
	WHERE errorCode = 'AccessDeniedException'
), panes AS (
	SELECT user_id, model_id, account_id, pane, count(*) AS n
	FROM ev
	GROUP BY ALL
)
SELECT (pane + k) * 600 AS tick, user_id, model_id, account_id, sum(n) AS total_denials
FROM panes, range(1, 7) AS t(k)
GROUP BY ALL
HAVING sum(n) > 3
ORDER BY tick, total_denials DESC, user_id, model_id, account_id`

// Splunk (SPL) seed: hourly over [t-70m, t-10m) at each whole hour t. The
// windows neither overlap nor leave gaps, so each event belongs to exactly
// one tick, (floor((time+10m)/1h)+1) hours. Fields are those the Splunk
// Add-on for AWS gives (tripline's internal/schema/cim.go): user is
// user_name renamed, the first of userIdentity.userName, the session
// issuer's userName and the last segment of the ARN; vendor_account is
// userIdentity.accountId or else recipientAccountId. SPL matches
// field=value case-insensitively, and stats drops events whose by-fields
// are null.
const splunkSQL = `
WITH ct AS (
	SELECT unnest(Records) AS r
	FROM %s
), ev AS (
	SELECT CAST(r.eventTime AS TIMESTAMPTZ) AS ts,
	       r.sourceIPAddress AS src,
	       coalesce(r.userIdentity.userName,
	                r.userIdentity.sessionContext.sessionIssuer.userName,
	                CASE WHEN r.userIdentity.arn <> '' THEN regexp_extract(r.userIdentity.arn, '[^/]*$') END) AS "user",
	       r.userAgent AS user_agent,
	       coalesce(r.userIdentity.accountId, r.recipientAccountId) AS vendor_account,
	       'AWS CloudTrail' AS vendor_product,
	       r.eventSource AS dest,
	       r.eventName AS signature,
	       r.awsRegion AS vendor_region,
	       r.errorCode AS error_code,
	       r.errorMessage AS error_message
	FROM ct
	WHERE lower(r.eventSource) = 'bedrock.amazonaws.com'
	  AND lower(r.eventName) = 'listfoundationmodels'
	  AND lower(r.errorCode) = 'accessdenied'
)
SELECT ((epoch_us(ts) + 600000000) // 3600000000 + 1) * 3600 AS tick,
       src, "user", user_agent, vendor_account, vendor_product, dest, signature, vendor_region,
       count(*) AS count,
       strftime(min(ts), '%%Y-%%m-%%dT%%H:%%M:%%S') AS firstTime,
       strftime(max(ts), '%%Y-%%m-%%dT%%H:%%M:%%S') AS lastTime,
       list_sort(list_distinct(list(error_code))) AS errorCodes,
       list_sort(list_distinct(list(error_message))) AS errorMessages
FROM ev
WHERE src IS NOT NULL AND "user" IS NOT NULL AND user_agent IS NOT NULL
  AND vendor_account IS NOT NULL AND dest IS NOT NULL AND signature IS NOT NULL
  AND vendor_region IS NOT NULL
GROUP BY ALL
HAVING count(*) > 9
ORDER BY tick, src, "user", user_agent, vendor_account, dest, signature, vendor_region`

// duckReaders holds the table functions the two queries read from; %s is
// the glob of the files.
type duckReaders struct{ Elastic, Splunk string }

// typedReaders give read_json the columns each query uses and their types,
// so DuckDB neither samples the files nor builds the rest of each record.
var typedReaders = duckReaders{
	Elastic: `read_ndjson(%s, compression = 'gzip', maximum_object_size = 1073741824,
	     columns = {'timestamp': 'VARCHAR', 'accountId': 'VARCHAR',
	                'identity': 'STRUCT(arn VARCHAR)', 'modelId': 'VARCHAR',
	                'errorCode': 'VARCHAR'})`,
	Splunk: `read_json(%s, format = 'unstructured', compression = 'gzip',
	     maximum_object_size = 1073741824,
	     columns = {'Records': 'STRUCT(
	         eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR,
	         errorCode VARCHAR, errorMessage VARCHAR, sourceIPAddress VARCHAR,
	         userAgent VARCHAR, awsRegion VARCHAR, recipientAccountId VARCHAR,
	         userIdentity STRUCT(userName VARCHAR, arn VARCHAR, accountId VARCHAR,
	             sessionContext STRUCT(sessionIssuer STRUCT(userName VARCHAR))))[]'})`,
}

// autoReaders are what a DuckDB user writes first: the file glob, with the
// format, compression and schema left to detection. By default DuckDB
// samples 20,480 records from at most the first 32 files and assumes the
// rest have the same schema. That is enough for the invocation logs (the
// third file already holds an errorCode), but not for CloudTrail: each
// file is one {"Records":[...]} value, Records one LIST of STRUCT, and a
// key the sample never saw fails the whole query. Here responseElements'
// ConsoleLogin first appears in file 1,075 of 3,224 ("Object
// {"ConsoleLogin":"Success"} has unknown key"); sample_size = -1 alone does
// not help, as it still stops at 32 files. maximum_sample_files = -1, so
// that detection reads every file, is the one option the CloudTrail query
// needs (union_by_name = true also works, by detecting each file's schema).
var autoReaders = duckReaders{
	Elastic: `read_ndjson(%s)`,
	Splunk:  `read_json(%s, maximum_sample_files = -1)`,
}

// Group-by fields of each rule, in the order of its query, as tripline
// names them in an alert's group.
var (
	elasticGroup = []string{"user.id", "gen_ai.request.model.id", "cloud.account.id"}
	splunkGroup  = []string{"src", "user", "user_agent", "vendor_account", "vendor_product", "dest", "signature", "vendor_region"}
)

// duckRow is one alerting window: its tick (Unix seconds), the group's
// values in the rule's group order (nil for null) and the count.
type duckRow struct {
	Tick  int64
	Group []any
	Count int64
	Rest  []any // Splunk's firstTime, lastTime, errorCodes, errorMessages
}

// duckResult holds the alerting windows of both rules.
type duckResult struct {
	Elastic, Splunk []duckRow
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ctGlob and invGlob select the CloudTrail and Bedrock invocation files
// under dir in AWS's S3 layout (DuckDB allows one ** per pattern).
func ctGlob(dir string) string {
	return filepath.Join(dir, "**", "CloudTrail", "*", "*", "*", "*", "*.json.gz")
}

func invGlob(dir string) string {
	return filepath.Join(dir, "**", "BedrockModelInvocationLogs", "*", "*", "*", "*", "*", "*.json.gz")
}

// duckSeeds opens a fresh in-memory DuckDB, answers both seed rules over
// the files under dir with the given readers and closes it, so that no run
// sees another's state.
func duckSeeds(ctx context.Context, dir string, rd duckReaders) (*duckResult, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
		return nil, err
	}
	var res duckResult
	res.Elastic, err = duckQuery(ctx, conn, fmt.Sprintf(elasticSQL, fmt.Sprintf(rd.Elastic, sqlString(invGlob(dir)))), len(elasticGroup))
	if err != nil {
		return nil, fmt.Errorf("elastic seed: %w", err)
	}
	res.Splunk, err = duckQuery(ctx, conn, fmt.Sprintf(splunkSQL, fmt.Sprintf(rd.Splunk, sqlString(ctGlob(dir)))), len(splunkGroup))
	if err != nil {
		return nil, fmt.Errorf("splunk seed: %w", err)
	}
	return &res, nil
}

// duckQuery runs a query whose columns are tick, nGroup group values, the
// count and anything after it.
func duckQuery(ctx context.Context, conn *sql.Conn, query string, nGroup int) ([]duckRow, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []duckRow
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		tick, ok1 := vals[0].(int64)
		count, ok2 := vals[1+nGroup].(int64)
		if !ok1 || !ok2 {
			// HUGEINT sums come back as *big.Int; keep the check simple.
			t, err1 := toInt64(vals[0])
			c, err2 := toInt64(vals[1+nGroup])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("unexpected tick/count types %T, %T", vals[0], vals[1+nGroup])
			}
			tick, count = t, c
		}
		out = append(out, duckRow{Tick: tick, Group: vals[1 : 1+nGroup], Count: count, Rest: vals[2+nGroup:]})
	}
	return out, rows.Err()
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case interface{ Int64() int64 }:
		return x.Int64(), nil
	}
	return 0, fmt.Errorf("not an integer: %T", v)
}
