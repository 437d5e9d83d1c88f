#!/usr/bin/env bash
# Static checks of the monitoring configuration (no services needed):
#   promtool check config ops/prometheus/prometheus.yml   (including the rule files it names)
#   promtool check rules  ops/prometheus/alerts.yml
#   promtool test rules   ops/prometheus/alerts_test.yml  (the alert unit tests)
#   the Grafana dashboard and provisioning files parse, every panel has a PromQL target,
#   and docker-compose.yml validates offline (when docker-compose is installed).
# Needs promtool (Debian: apt-get install prometheus) and jq.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
cd -- "$SCRIPT_DIR/../.."

LOG_TAG=promtool
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"
for tool in promtool jq; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (Debian: apt-get install prometheus jq)"
done

promtool check config ops/prometheus/prometheus.yml || fail "promtool check config"
promtool check rules ops/prometheus/alerts.yml || fail "promtool check rules"
promtool test rules ops/prometheus/alerts_test.yml || fail "promtool test rules"

DASHBOARD=ops/grafana/dashboards/messenger.json
jq -e '.uid and .title and (.panels | length > 0)' "$DASHBOARD" >/dev/null || fail "$DASHBOARD is not a dashboard"
missing=$(jq -r '.panels[] | select(.type != "row")
  | select((.targets // []) | map(.expr // "" | length > 0) | any | not) | .title' "$DASHBOARD")
[[ -z "$missing" ]] || fail "panels without a PromQL target: $missing"
# Every expression of the dashboard parses (promtool checks it as a recording rule).
jq -r '[.panels[] | select(.type != "row") | .targets[].expr] | to_entries[]
  | "  - record: dashboard:expr_\(.key)\n    expr: \(.value | @json)"' "$DASHBOARD" |
  { printf 'groups:\n- name: dashboard\n  rules:\n'; cat; } >"${TMPDIR:-/tmp}/messenger-dashboard-rules.$$.yml"
if ! promtool check rules "${TMPDIR:-/tmp}/messenger-dashboard-rules.$$.yml" >/dev/null; then
  promtool check rules "${TMPDIR:-/tmp}/messenger-dashboard-rules.$$.yml" || true
  rm -f "${TMPDIR:-/tmp}/messenger-dashboard-rules.$$.yml"
  fail "a dashboard expression does not parse"
fi
rm -f "${TMPDIR:-/tmp}/messenger-dashboard-rules.$$.yml"
ds_uid=$(grep -E '^\s+uid:' ops/grafana/provisioning/datasources/prometheus.yml | awk '{print $2}')
bad_ds=$(jq -r --arg uid "$ds_uid" '[.panels[] | select(.type != "row") | .datasource.uid] | unique | map(select(. != $uid)) | join(",")' "$DASHBOARD")
[[ -z "$bad_ds" ]] || fail "panels use datasource uids other than the provisioned '$ds_uid': $bad_ds"
log "$DASHBOARD: $(jq '[.panels[] | select(.type != "row")] | length' "$DASHBOARD") panels, every expression parses, datasource uid '$ds_uid'"

if command -v docker-compose >/dev/null 2>&1; then
  docker-compose -f docker-compose.yml config -q || fail "docker-compose.yml does not validate"
  log "docker-compose.yml valid (prometheus and grafana provisioning mounted)"
fi
log "passed"
