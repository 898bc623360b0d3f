#!/bin/sh
# make_test_ca.sh DIR: a throw-away certificate authority for the TLS tests.
#
# Writes into DIR (created if needed):
#   ca.pem                 the CA certificate (give it to the client as CA file)
#   server.pem server.key  a server certificate for localhost and 127.0.0.1
#   wrong.pem  wrong.key   a certificate from the same CA for wrong.example
#                          only, to prove the client checks the host name
# Keys are EC P-256 (fast to make) and valid for two days: long enough for
# a test run, short enough that a copy left lying around is worthless.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
command -v openssl >/dev/null 2>&1 || {
	echo "$0: openssl is not installed" >&2
	exit 77
}
mkdir -p "$dir"
cd "$dir"

newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1" 2>/dev/null
}

newkey ca.key
openssl req -x509 -new -key ca.key -sha256 -days 2 -out ca.pem \
	-subj "/CN=digest test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" \
	-addext "subjectKeyIdentifier=hash"

# leaf NAME SAN: a server certificate signed by the CA.
leaf() {
	newkey "$1.key"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
	cat >"$1.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$3
authorityKeyIdentifier=keyid
subjectKeyIdentifier=hash
EXT
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
		-CAcreateserial -sha256 -days 2 -extfile "$1.ext" \
		-out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

leaf server localhost "DNS:localhost,IP:127.0.0.1"
leaf wrong wrong.example "DNS:wrong.example"
rm -f ca.srl
