#!/usr/bin/env bash
# Facility location, side by side in one run (see docs/benchmarks.md#facility-location):
#   every uncapacitated OR-Library instance in data/orlib/uncap, Meridian's Lagrangian branch and bound against the
#   strong MIP formulation on OR-Tools' SCIP, each to proven optimality; then a 10,000 x 1,000 synthetic instance to a
#   1% gap. Usage: bench/plan.sh [extra options of `meridian bench plan`], such as --json or --no-mip.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/Meridian.Cli -v quiet -nologo >/dev/null
exec dotnet src/Meridian.Cli/bin/Release/net10.0/meridian.dll bench plan "$@"
