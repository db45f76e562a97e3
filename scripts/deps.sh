#!/bin/sh
# Installs what kdx needs to build and test on Debian (run as root).
set -e
packages="build-essential autoconf automake pkg-config libncurses-dev libkdumpfile-dev
libpcre2-dev libcmocka-dev tmux jq"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
