#!/bin/sh
# Installs what kdx needs to build and test on Debian (run as root).
# zlib1g-dev: Debian's libkdumpfile.pc requires zlib.pc, but libkdumpfile-dev
# does not depend on it, so pkg-config fails on libkdumpfile without it.
# zlib, lzo, snappy, zstd: kdx decompresses flattened kdump files itself.
set -e
packages="build-essential autoconf automake pkg-config libncurses-dev libkdumpfile-dev zlib1g-dev
liblzo2-dev libsnappy-dev libzstd-dev libpcre2-dev libcmocka-dev tmux jq python3"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
