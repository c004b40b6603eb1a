#!/usr/bin/env bash
# Fetch Debian's current arm64 kernel (linux-image-arm64's dependency) and extract its Image to
# .cache/linux/Image, where test/loader/linux-boot.test.ts looks for it (or set A64HV_KERNEL).
# Needs apt with the arm64 architecture (added here if missing); about 60 MB to download.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/linux
if [ -s "$dest/Image" ]; then echo "$dest/Image already there"; exit 0; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
pkg=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
[ -n "$pkg" ] || { echo "fetch-linux: cannot resolve linux-image-arm64:arm64 (apt-get update?)" >&2; exit 1; }
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq "$pkg:arm64" && dpkg-deb -x ./*.deb root)
cp "$tmp"/root/boot/vmlinuz-* "$dest/Image"
echo "$dest/Image: $pkg"
