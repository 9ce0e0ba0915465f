#!/usr/bin/env bash
# Installs the built library into a temporary prefix, then builds a program outside the
# tree against it twice: with pkg-config --static and with CMake's find_package(mcdl).
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig"
flags=$(pkg-config --cflags --libs --static mcdl)
echo "pkg-config: $flags"
libdir=$(pkg-config --variable=libdir mcdl)
# static: the archive itself plus everything `--libs --static` lists besides -lmcdl
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer_pc" "$src/consumer.c" \
   $(pkg-config --cflags mcdl) "$libdir/libmcdl.a" \
   $(pkg-config --libs --static mcdl | sed 's/-lmcdl\b//')
"$tmp/consumer_pc"
cc -std=c11 -o "$tmp/consumer_pc_plain" "$src/consumer.c" $flags -Wl,-rpath,"$tmp/prefix/lib"
"$tmp/consumer_pc_plain"
mkdir -p "$tmp/cm"
cmake -S "$src" -B "$tmp/cm" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
"$tmp/cm/consumer_static"
"$tmp/cm/consumer_shared"
echo "install consumers: pkg-config static, pkg-config shared, find_package static+shared OK"
