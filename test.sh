#!/usr/bin/env bash
# Runs Meridian's whole test suite: build, then every test project. Installs what the tests need when it is
# missing, so it passes on a fresh machine. Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is required (dotnet on PATH)" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The console is built with Node.js and npm (dotnet build runs Vite), its tests drive Debian's Chromium, and the store
# contract tests start a throwaway PostgreSQL cluster with Debian's initdb and pg_ctl.
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log=$(mktemp -t meridian-test.XXXXXX)
dotnet build Meridian.slnx -c Release -v quiet -nologo
set +e
# A test that hangs fails after 10 minutes (with a dump in its TestResults) instead of stalling the run.
dotnet test Meridian.slnx -c Release --no-build -nologo --blame-hang-timeout 10m >"$log" 2>&1
status=$?
set -e

if [ "$status" -ne 0 ]; then
  # Show what failed, with its messages.
  grep -E -A 25 '^\s+Failed |error' "$log" | head -n 400 || true
fi
grep -E '^(Passed!|Failed!)' "$log" || true
awk '/^(Passed!|Failed!)/ { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v); if ($i == "Failed:") f += v; if ($i == "Passed:") p += v } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
