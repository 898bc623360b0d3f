#!/bin/sh
# Install the Debian packages digest needs to build and test, but only those
# that are missing, so that `make` on a ready machine touches nothing.
set -eu

PKGS="build-essential cmake pkg-config
libcurl4-gnutls-dev libjson-c-dev libyajl-dev libsqlite3-dev libetpan-dev libicu-dev
libcsv-dev libsodium-dev libcmocka-dev libmicrohttpd-dev libjemalloc-dev
python3 python3-aiosmtpd valgrind openssl ca-certificates clang mandoc
lintian prometheus
spamassassin"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	--no-install-recommends $missing >&2
