#!/usr/bin/env bash
# Fetch Debian's current arm64 kernel (linux-image-arm64's dependency) and extract its Image to
# .cache/linux/Image, and Debian's static arm64 busybox to .cache/linux/busybox: the Linux boot
# tests (test/loader/linux-*.test.ts) look for them there (or set A64HV_KERNEL / A64HV_BUSYBOX).
# Needs apt with the arm64 architecture (added here if missing); about 60 MB to download.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/linux
if [ -s "$dest/Image" ] && [ -s "$dest/busybox" ]; then echo "$dest/Image and $dest/busybox already there"; exit 0; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt-get download PKG:arm64 into $tmp/NAME, unpacked.
fetch() { (mkdir -p "$tmp/$2" && cd "$tmp/$2" && apt-get download -qq "$1:arm64" && dpkg-deb -x ./*.deb root); }
if [ ! -s "$dest/Image" ]; then
  pkg=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
  [ -n "$pkg" ] || { echo "fetch-linux: cannot resolve linux-image-arm64:arm64 (apt-get update?)" >&2; exit 1; }
  fetch "$pkg" kernel
  cp "$tmp"/kernel/root/boot/vmlinuz-* "$dest/Image"
  echo "$dest/Image: $pkg"
fi
if [ ! -s "$dest/busybox" ]; then
  fetch busybox-static busybox
  cp "$tmp/busybox/root/bin/busybox" "$dest/busybox"
  echo "$dest/busybox: busybox-static"
fi
