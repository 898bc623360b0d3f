#!/bin/sh
# Build the Debian package, check it with lintian (no error allowed),
# install it with apt, run `digest check` and the demo from the installed
# files as the system user it creates, render the man pages, then purge
# it and check that it left nothing behind. Needs root (or sudo) and a
# machine where installing a package is fine: CI's.
#
# Usage: scripts/package-test.sh [BUILD_DIR]   (default: build-package)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build-package}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

step() { echo "package-test: $*" >&2; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

# A Release build for /usr, warnings as errors; only what the package
# holds is built (not the tests).
step "building the package in $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_INSTALL_PREFIX=/usr -DDIGEST_PACKAGE=ON -DDIGEST_WERROR=ON \
	-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target digest manpages \
	debian-changelog >/dev/null
rm -f "$BUILD"/digest_*.deb
(cd "$BUILD" && cpack -G DEB >/dev/null)
deb=$(ls "$BUILD"/digest_*.deb)
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
step "built $deb"

step "lintian"
lintian --fail-on error "$deb" || fail "lintian found errors"

# Start from a machine without the package (a previous run may have died).
$SUDO apt-get purge -y -qq digest >/dev/null 2>&1 || true
step "apt-get install $deb"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$deb" \
	>/dev/null || fail "apt-get install"

getent passwd digest >/dev/null || fail "no system user digest"
[ "$(stat -c %U /var/lib/digest)" = digest ] ||
	fail "/var/lib/digest is not the digest user's"
[ "$(stat -c '%U:%G %a' /etc/digest/digest.toml)" = "root:digest 640" ] ||
	fail "/etc/digest/digest.toml is not root:digest 0640"
dpkg-query -W -f='${Conffiles}\n' digest | grep -q /etc/digest/digest.toml ||
	fail "/etc/digest/digest.toml is not a conffile"

# As the timer would run it: the digest user, from another directory,
# the config named by DIGEST_CONFIG, the templates found by default.
as_digest() {
	(cd / && $SUDO env DIGEST_CONFIG=/etc/digest/digest.toml \
		runuser -u digest -- /usr/bin/digest "$@")
}
step "digest check"
as_digest check || fail "digest check with the installed config"
step "digest run (the demo)"
out=$(mktemp)
as_digest run >"$out" || fail "digest run of the demo"
n=$(grep -c '^From ' "$out" || true)
rm -f "$out"
[ "$n" -gt 0 ] || fail "the demo printed no digest"
step "the demo printed $n digests"

for page in /usr/share/man/man1/digest.1.gz \
	/usr/share/man/man5/digest.toml.5.gz; do
	[ -f "$page" ] || fail "$page is not installed"
	mandoc -Tlint -Wwarning "$page" || fail "mandoc -Tlint $page"
	mandoc -Tutf8 "$page" | grep -q DIGEST || fail "$page renders empty"
done
if command -v man >/dev/null; then
	man -P cat digest >/dev/null 2>&1 || fail "man digest"
	man -P cat digest.toml >/dev/null 2>&1 || fail "man digest.toml"
fi
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /lib/systemd/system/digest.service \
		/lib/systemd/system/digest.timer || fail "systemd-analyze verify"
fi

step "apt-get purge digest"
$SUDO apt-get purge -y -qq digest >/dev/null || fail "apt-get purge"
for left in /usr/bin/digest /etc/digest /var/lib/digest /usr/share/digest; do
	[ ! -e "$left" ] || fail "$left is left after the purge"
done
! dpkg-statoverride --list /etc/digest/digest.toml >/dev/null ||
	fail "the statoverride is left after the purge"
step "ok"
