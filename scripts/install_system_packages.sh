#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when any is missing (as root: apt-get;
# otherwise print the command to run). Called by `make test`.
set -euo pipefail
packages=(cmake g++ g++-aarch64-linux-gnu qemu-user adb default-jdk-headless junit4 aapt android-framework-res)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "error: the tests need Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing Debian packages for the tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
