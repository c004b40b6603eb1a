#!/usr/bin/env bash
# Fetch Debian's current arm64 kernel (linux-image-arm64's dependency) and extract its Image to
# .cache/linux/Image, and Debian's static arm64 busybox to .cache/linux/busybox: the Linux boot
# tests (test/loader/linux-*.test.ts) look for them there (or set A64HV_KERNEL / A64HV_BUSYBOX).
# From the SAME linux-image .deb it also takes the modules the virtio disk path needs
# (virtio_mmio, virtio_blk, romfs for the test disk's file system, and what their modinfo
# `depends=` names, transitively: romfs needs mtd) into
# .cache/linux/modules/: plain .ko files (a .ko.xz/.ko.zst is decompressed here, busybox insmod
# may not), `modules.load` (insmod order, dependencies first), `config` (the kernel's
# /boot/config-*), `release` (package, version, uname -r) and `wanted` (the list below: a cache
# made for a shorter list is refetched). A module's vermagic must match the
# kernel, so when modules are missing the package is the one the cached Image came from
# ("Linux version R ... Debian V" inside it); if apt no longer has that version, the current
# kernel replaces the Image too, so Image and modules always come from one package.
# Idempotent: an existing Image/busybox/modules is kept. Needs apt with the arm64 architecture
# (added here if missing); about 60 MB to download.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/linux
mods="$dest/modules"
WANT_MODULES="virtio_mmio virtio_blk romfs"
# The modules are there when they were made for this list.
have_modules() { [ -s "$mods/modules.load" ] && [ "$(cat "$mods/wanted" 2>/dev/null)" = "$WANT_MODULES" ]; }
if [ -s "$dest/Image" ] && [ -s "$dest/busybox" ] && have_modules; then
  echo "$dest/Image, $dest/busybox and $mods already there"; exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt-get download PKG[=VERSION]:arm64 into $tmp/NAME, unpacked.
fetch() { (mkdir -p "$tmp/$2" && cd "$tmp/$2" && apt-get download -qq "$1" && dpkg-deb -x ./*.deb root); }

# Copy module $1 (its modinfo name) and its dependencies from the unpacked tree $2 into $3,
# appending to $3/modules.load after its dependencies. Module files may be .ko, .ko.xz or .ko.zst.
add_module() {
  local name=$1 tree=$2 out=$3 file dep
  grep -qx "$name" "$out/modules.load" 2>/dev/null && return 0
  # modules.builtin lists built-in ones as kernel/PATH/NAME.ko ('-' and '_' are the same in names).
  if grep -Eq "/${name//_/[-_]}\.ko\$" "$tree/modules.builtin" 2>/dev/null; then return 0; fi
  file=$(find "$tree/kernel" -regextype posix-extended -regex ".*/${name//_/[-_]}\.ko(\.xz|\.zst)?" | head -n 1)
  [ -n "$file" ] || { echo "fetch-linux: module $name is neither in the package nor built in" >&2; return 1; }
  case "$file" in
    *.xz) xz -dc "$file" > "$out/$name.ko" ;;
    *.zst) zstd -qdc "$file" > "$out/$name.ko" ;;
    *) cp "$file" "$out/$name.ko" ;;
  esac
  # .modinfo holds NUL-separated key=value strings; depends= is a comma-separated list.
  for dep in $(tr '\0' '\n' < "$out/$name.ko" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '); do
    add_module "${dep//-/_}" "$tree" "$out"
  done
  echo "$name" >> "$out/modules.load"
}

# The package to take the kernel and modules from: the cached Image's own when modules are missing.
pkg=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
[ -n "$pkg" ] || { echo "fetch-linux: cannot resolve linux-image-arm64:arm64 (apt-get update?)" >&2; exit 1; }
spec="$pkg:arm64"
if [ -s "$dest/Image" ]; then
  banner=$(zcat -f "$dest/Image" | tr '\0' '\n' | grep -a -m 1 -o '^Linux version [^ ]* .* Debian [^ )]*' || true)
  rel=$(echo "$banner" | awk '{ print $3 }')
  ver=$(echo "$banner" | awk '{ print $NF }')
  if [ -n "$rel" ] && [ -n "$ver" ] && apt-cache madison "linux-image-$rel:arm64" 2>/dev/null | awk -F'|' -v v="$ver" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'; then
    pkg="linux-image-$rel"; spec="$pkg:arm64=$ver"
  elif ! have_modules; then
    echo "fetch-linux: the cached Image (${banner:-no version banner}) is not in apt any more; replacing it with $pkg"
  fi
fi
if [ ! -s "$dest/Image" ] || ! have_modules; then
  fetch "$spec" kernel
  root="$tmp/kernel/root"
  tree=$(echo "$root"/lib/modules/*)
  [ -d "$tree" ] || { echo "fetch-linux: no lib/modules in $spec" >&2; exit 1; }
  new="$tmp/modules"
  mkdir -p "$new"
  : > "$new/modules.load"
  for m in $WANT_MODULES; do add_module "$m" "$tree" "$new"; done
  cp "$root"/boot/config-* "$new/config"
  echo "$WANT_MODULES" > "$new/wanted"
  printf '%s %s %s\n' "$pkg" "$(dpkg-deb -f "$tmp"/kernel/*.deb Version)" "$(basename "$tree")" > "$new/release"
  zcat -f "$root"/boot/vmlinuz-* > "$tmp/Image"
  if ! cmp -s "$tmp/Image" "$dest/Image" 2>/dev/null; then
    mv "$tmp/Image" "$dest/Image"
    echo "$dest/Image: $spec"
  fi
  rm -rf "$mods"
  mv "$new" "$mods"
  echo "$mods: $(tr '\n' ' ' < "$mods/modules.load")from $spec"
fi
if [ ! -s "$dest/busybox" ]; then
  fetch busybox-static:arm64 busybox
  cp "$tmp/busybox/root/bin/busybox" "$dest/busybox"
  echo "$dest/busybox: busybox-static"
fi
