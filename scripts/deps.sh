#!/bin/sh
# Install the Debian 12 packages Concord needs to build, test and run,
# when any is missing.  Used by scripts/demo.sh and scripts/test.sh.
set -eu
pkgs="build-essential cmake pkg-config libjansson-dev libmicrohttpd-dev libsqlite3-dev
      libsodium-dev libgnutls28-dev libcurl4-openssl-dev libcmocka-dev python3
      libvectorscan-dev libpcre2-dev libutf8proc-dev zlib1g-dev
      clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
