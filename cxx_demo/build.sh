#!/usr/bin/env bash
# Build mnv1_bench and mnv1_classify for one target into build/cxx_demo/<target>/{bin,lib}.
set -euo pipefail

usage() {
    cat <<'TEXT'
usage: cxx_demo/build.sh --target TARGET --lite-dir DIR [--ndk DIR] [--build-dir DIR] [--jobs N]

  --target TARGET   android-arm64 | android-armv7 | armlinux-aarch64 | host
  --lite-dir DIR    Paddle Lite inference library for that target, the unpacked
                    inference_lite_lib.<os>.<arch> folder (holds cxx/include and cxx/lib)
  --ndk DIR         Android NDK (r20 or newer); default: $ANDROID_NDK_HOME or $ANDROID_NDK
  --build-dir DIR   where the build goes (default: build/cxx_demo/<target>)
  --jobs N          parallel compile jobs (default: number of CPUs)

The result is <build-dir>/bin/{mnv1_bench,mnv1_classify} and <build-dir>/lib/ with every
shared library that must travel with them to the device.
TEXT
}

die() { echo "build.sh: error: $*" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
target="" lite_dir="" ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK:-}}" build_dir="" jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
    case "$1" in
        --target) [ $# -ge 2 ] || die "--target needs a value"; target=$2; shift 2 ;;
        --lite-dir) [ $# -ge 2 ] || die "--lite-dir needs a value"; lite_dir=$2; shift 2 ;;
        --ndk) [ $# -ge 2 ] || die "--ndk needs a value"; ndk=$2; shift 2 ;;
        --build-dir) [ $# -ge 2 ] || die "--build-dir needs a value"; build_dir=$2; shift 2 ;;
        --jobs) [ $# -ge 2 ] || die "--jobs needs a value"; jobs=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

case "$target" in
    android-arm64|android-armv7|armlinux-aarch64|host) ;;
    "") die "--target is required: android-arm64, android-armv7, armlinux-aarch64 or host" ;;
    *) die "unknown target '$target': use android-arm64, android-armv7, armlinux-aarch64 or host" ;;
esac
[ -n "$lite_dir" ] || die "--lite-dir is required: the unpacked Paddle Lite inference library for $target"
[ -f "$lite_dir/cxx/include/paddle_api.h" ] || die "--lite-dir $lite_dir has no cxx/include/paddle_api.h"
[ -f "$lite_dir/cxx/lib/libpaddle_light_api_shared.so" ] || die "--lite-dir $lite_dir has no cxx/lib/libpaddle_light_api_shared.so"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs takes a positive whole number, not '$jobs'"
lite_dir=$(cd "$lite_dir" && pwd)
build_dir=${build_dir:-build/cxx_demo/$target}
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)

cmake_args=(-DPADDLE_LITE_DIR="$lite_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$build_dir")
extra_libs=()
case "$target" in
    android-*)
        [ -n "$ndk" ] || die "target $target needs the Android NDK: pass --ndk DIR or set ANDROID_NDK_HOME"
        toolchain="$ndk/build/cmake/android.toolchain.cmake"
        [ -f "$toolchain" ] || die "--ndk $ndk has no build/cmake/android.toolchain.cmake (is it an NDK r20+?)"
        if [ "$target" = android-arm64 ]; then abi=arm64-v8a triple=aarch64-linux-android; else abi=armeabi-v7a triple=arm-linux-androideabi; fi
        cmake_args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DANDROID_ABI="$abi" -DANDROID_PLATFORM=android-23
                     -DANDROID_STL=c++_shared)
        # c++_shared builds need the NDK's libc++_shared.so on the device, next to the binary.
        extra_libs+=("$(find "$ndk/toolchains/llvm/prebuilt" -path "*/sysroot/usr/lib/$triple/libc++_shared.so" | head -n 1)")
        [ -f "$lite_dir/cxx/lib/libc++_shared.so" ] && extra_libs=("$lite_dir/cxx/lib/libc++_shared.so")
        ;;
    armlinux-aarch64)
        command -v aarch64-linux-gnu-g++ >/dev/null || die "aarch64-linux-gnu-g++ is missing: apt-get install g++-aarch64-linux-gnu"
        cmake_args+=(-DCMAKE_TOOLCHAIN_FILE="$here/cmake/aarch64-linux-gnu.cmake")
        # Paddle Lite's ARM Linux library needs OpenMP's runtime, and both need the GNU C++ runtime:
        # a board without them cannot start the programs, so they travel in lib/ from the cross sysroot.
        for name in libgomp.so.1 libstdc++.so.6 libgcc_s.so.1; do
            found=$(aarch64-linux-gnu-g++ -print-file-name="$name")
            [ -f "$found" ] || die "$name is missing from the aarch64 cross toolchain: apt-get install g++-aarch64-linux-gnu"
            extra_libs+=("$found")
        done
        ;;
esac

echo "configuring $target in $build_dir"
cmake -S "$here" -B "$build_dir/cmake" "${cmake_args[@]}" >"$build_dir/cmake.log" 2>&1 \
    || { tail -n 20 "$build_dir/cmake.log" >&2; die "cmake configure failed (full log: $build_dir/cmake.log)"; }
cmake --build "$build_dir/cmake" --parallel "$jobs" >>"$build_dir/cmake.log" 2>&1 \
    || { tail -n 20 "$build_dir/cmake.log" >&2; die "compilation failed (full log: $build_dir/cmake.log)"; }
cmake --install "$build_dir/cmake" >>"$build_dir/cmake.log" 2>&1 || die "install step failed"
for lib in "${extra_libs[@]}"; do
    [ -n "$lib" ] && [ -f "$lib" ] && cp -L "$lib" "$build_dir/lib/"  # -L: the file, not a symlink
done

echo "built for $target:"
for f in "$build_dir"/bin/* "$build_dir"/lib/*; do echo "  $f"; done
echo "push bin/ and lib/ together; run with LD_LIBRARY_PATH=<dir>/lib (the binaries also look in ../lib)"
