#!/usr/bin/env bash
# Installs the Debian packages that integration tests and benchmarks start as real servers.
# Idempotent and cheap on a prepared machine: apt is only touched when dpkg reports a package missing,
# because `apt-get update` alone costs seconds and needs the network.
set -euo pipefail

packages=(dovecot-imapd dovecot-core postgresql-15 isync offlineimap3 openssl dnsmasq radicale xandikos apache2-utils chromium fonts-liberation)

missing=()
for pkg in "${packages[@]}"; do
  # `dpkg -s` also succeeds for removed-but-configured packages, so check the status line itself.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${missing[*]} and apt-get is not available (Debian/Ubuntu only)" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

echo "install-test-deps: installing ${missing[*]}"
# Debian's policy-rc.d on CI images usually keeps apt from starting the system services; tests never use
# them anyway (each test starts its own instance on loopback with its own config).
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-test-deps: done"
