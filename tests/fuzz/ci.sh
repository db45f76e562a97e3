#!/bin/sh
# The CI entry point for the libFuzzer targets, from the top of a source
# tree that is not configured in place (make distclean first): when clang
# with libFuzzer is present, builds them out of tree in build-fuzz/ and runs
# every target for SECONDS (default 30) with tests/fuzz/run.sh. Without
# clang it says so and succeeds. Exit status: 0 no finding, 1 otherwise.
set -u
secs=${1:-30}
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: skipped: no clang (Debian packages clang and libclang-rt-dev)"
	exit 0
fi
rm -rf "$top/build-fuzz" && mkdir "$top/build-fuzz" && cd "$top/build-fuzz" || exit 1
if ! ../configure -q --enable-fuzzers CC=clang >configure.log 2>&1; then
	echo "fuzz: configure failed: $(tail -1 configure.log)"
	exit 1
fi
if ! make -j2 fuzz >make.log 2>&1; then
	echo "fuzz: build failed (build-fuzz/make.log)"
	exit 1
fi
sh ../tests/fuzz/run.sh "$secs"
