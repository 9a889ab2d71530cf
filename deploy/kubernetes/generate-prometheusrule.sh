#!/bin/sh
# Writes components/prometheus-operator/prometheusrule.yaml from monitoring/alerts.yml: the same groups, wrapped in a PrometheusRule.
# Run after changing the alerts: deploy/kubernetes/generate-prometheusrule.sh
# (DeploymentConsistencyTest fails while the two differ.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
alerts="$here/../../monitoring/alerts.yml"
{
  cat <<'HEAD'
# GENERATED from monitoring/alerts.yml by generate-prometheusrule.sh: edit the alerts there, then re-run it.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: stream-pipeline
  labels:
    app.kubernetes.io/name: stream-pipeline
spec:
HEAD
  grep -v '^#' "$alerts" | sed -e '/^[[:space:]]*$/d' -e 's/^/  /'
} > "$here/components/prometheus-operator/prometheusrule.yaml"
