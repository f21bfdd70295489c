#!/usr/bin/env bash
# Build the Paddle Lite light-API TEST DOUBLE into an inference-library-shaped folder:
# OUT/cxx/include/paddle_api.h and OUT/cxx/lib/libpaddle_light_api_shared.so.
# usage: build_double.sh host|armlinux-aarch64 OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
    host) cxx=g++ ;;
    armlinux-aarch64) cxx=aarch64-linux-gnu-g++ ;;
    *) echo "usage: build_double.sh host|armlinux-aarch64 OUT" >&2; exit 2 ;;
esac
out=${2:?usage: build_double.sh host|armlinux-aarch64 OUT}
mkdir -p "$out/cxx/include" "$out/cxx/lib"
cp "$here/include/paddle_api.h" "$out/cxx/include/"
"$cxx" -std=c++17 -O2 -shared -fPIC -pthread -I"$here/include" "$here/paddle_lite_api_double.cc" \
    -o "$out/cxx/lib/libpaddle_light_api_shared.so"
