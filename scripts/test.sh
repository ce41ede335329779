#!/usr/bin/env bash
# Builds the solution and runs every test project; ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

results="${MANTLE_TEST_RESULTS:-artifacts/test-results}"
rm -rf "$results"
mkdir -p "$results"

dotnet build Mantle.slnx -c Release --nologo -v quiet || { echo "0 passed, 1 failed (build failed)"; exit 1; }

status=0
dotnet test Mantle.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" || status=$?

# Sum the counters of every TRX file into one closing line.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
