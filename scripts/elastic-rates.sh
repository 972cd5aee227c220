#!/usr/bin/env bash
# How much of a checkout of elastic/detection-rules tripline runs: Elastic's
# AWS and Bedrock rules (rules/integrations/aws*), and every production
# ES|QL rule, per rule type: loaded, skipped with the reason, or refused
# with the reason. Not part of CI (it needs a checkout CI does not have):
#
#   git clone --depth 1 https://github.com/elastic/detection-rules /tmp/detection-rules
#   scripts/elastic-rates.sh /tmp/detection-rules
set -eu
checkout=${1:?usage: scripts/elastic-rates.sh DETECTION_RULES_CHECKOUT}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/tripline
go build -o "$bin" ./cmd/tripline
report() { # label, then rule files on stdin
	local label=$1 list
	list=$(mktemp)
	cat >"$list"
	echo "== $label ($(wc -l <"$list") files)"
	# validate reads each file; its JSON states carry the rule's type.
	xargs -a "$list" -d '\n' "$bin" rules validate --format json 2>/dev/null | python3 scripts/elastic_rates.py
}
find "$checkout"/rules/integrations -path '*/aws*' -name '*.toml' | sort | report "Elastic AWS and Bedrock rules"
grep -rlE '^language = "esql"' "$checkout"/rules --include='*.toml' | grep -v /_deprecated/ | sort | report "Elastic ES|QL rules (production)"
