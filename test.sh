#!/usr/bin/env bash
# Runs every test of the solution and closes with one summary line: "tests: N passed, N failed, N skipped".
# The namespace integration tests (as root) run after the others, not beside them: they measure reactions
# against failure detection times, and two CPUs busy with builds and the install test's AOT publish would
# make them wait on the scheduler rather than on the daemon.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
artifacts="$root/.build/test-artifacts"
# The Debian package test (as root) leaves lintian's report here; shown at the end.
lintian_report="$root/.build/package-test/lintian.txt"
rm -f "$lintian_report"
rc=0
# Phase 1: everything but the integration tests (the projects run in parallel).
dotnet test Ipmp.slnx --nologo --artifacts-path "$artifacts" --filter "FullyQualifiedName!~Ipmp.Integration.Tests" "$@" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# Phase 2: the integration tests build network namespaces: root only.
if [ "$(id -u)" -eq 0 ]; then
  dotnet test tests/Ipmp.Integration.Tests --nologo --artifacts-path "$artifacts" "$@" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
else
  echo "test.sh: not root: the namespace integration tests (tests/Ipmp.Integration.Tests) were not run" >&2
fi
if [ -f "$lintian_report" ]; then
  echo "--- lintian, on the package the package test built and installed and purged (tests/Ipmp.Cli.Tests/Install/DebianPackageTests.cs)"
  cat "$lintian_report"
  echo "---"
fi
# One "Passed!/Failed!  - Failed: N, Passed: N, Skipped: N, Total: N" line per test assembly and phase.
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed:' "$log" | sed -E \
  's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$rc" -eq 0 ] && [ "${passed}" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$rc"
