#!/usr/bin/env bash
# Install the Debian packages the integration tests need: GNU parallel, Slurm (slurmctld, slurmd,
# client), munge, and Chromium (the report tests open the HTML reports in headless Chromium). Runs
# only when asked to (CI=true or ILAEDA_INSTALL_SYSTEM_DEPS=1); idempotent:
# when everything is installed it only checks dpkg and exits; the package lists are updated only when
# installing from the ones on the machine fails. Prints what it did.
set -euo pipefail

packages=(parallel slurm-wlm munge chromium)

if [[ "${CI:-}" != "true" && "${ILAEDA_INSTALL_SYSTEM_DEPS:-}" != "1" ]]; then
    echo "system-deps: not requested (set CI=true or ILAEDA_INSTALL_SYSTEM_DEPS=1); nothing done"
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps: already installed: ${packages[*]}"
    exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing ${missing[*]}, but installing needs root and apt-get" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {  # quiet unless it fails
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "system-deps: failed: $*" >&2
        exit 1
    fi
}
install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
echo "system-deps: installing ${missing[*]}"
# The package lists already on the machine are tried first: `apt-get update` only when they are missing or stale.
if ! "${install[@]}" >"$log" 2>&1; then
    echo "system-deps: apt-get update"
    run apt-get update -qq
    run "${install[@]}"
fi
echo "system-deps: installed ${missing[*]}"
