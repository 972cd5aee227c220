#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while, one after another.
# Not part of CI: a campaign is hours long. Crashers land in each package's
# testdata/fuzz/<Target>/ (commit them with the fix; they then run as
# regression tests in `go test`).
#
#   scripts/fuzz.sh                 # every target, 10 minutes each
#   FUZZTIME=2m scripts/fuzz.sh     # shorter
#   scripts/fuzz.sh ./internal/logs # only the targets of some packages
#
# The summary at the end lists each target with ok or FAIL.
set -u
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
parallel=${FUZZ_PARALLEL:-$(nproc)}
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <(go list ./...)
fi
results=()
failed=0
for pkg in "${pkgs[@]}"; do
	dir=$(go list -f '{{.Dir}}' "$pkg") || continue
	mapfile -t targets < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u)
	for target in "${targets[@]}"; do
		echo "== $pkg $target ($fuzztime)"
		log=$(mktemp)
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "$parallel" >"$log" 2>&1
		rc=$?
		tail -n 4 "$log"
		rm -f "$log"
		status=ok
		if [ $rc -ne 0 ]; then
			status=FAIL
			failed=1
		fi
		results+=("$status $pkg $target")
	done
done
echo
echo "fuzz campaign, $fuzztime per target:"
printf '  %s\n' "${results[@]}"
exit $failed
