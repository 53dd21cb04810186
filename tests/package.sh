#!/usr/bin/env bash
# Checks the packages `make package` built, installing nothing: each one's metadata and files, its
# desktop entry, and its binary unpacked into a temporary root and run there: --version, doctor and
# a client round trip in a throwaway workspace. Run inside tests/session.sh (keychain and D-Bus).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "package test: $*" >&2; exit 1; }
has() { grep -qF -- "$2" <<<"$1" || fail "$3: no '$2' in: $1"; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD)
deb=target/release/bundle/deb/Custodian_${version}_amd64.deb
rpm=target/release/bundle/rpm/Custodian-${version}-1.x86_64.rpm
[ -f "$deb" ] || fail "$deb is missing: run make package"
[ -f "$rpm" ] || fail "$rpm is missing: run make package"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The files a package must hold, as paths under its root.
expected=(
  usr/bin/custodian
  usr/share/applications/Custodian.desktop
  usr/share/icons/hicolor/32x32/apps/custodian.png
  usr/share/icons/hicolor/64x64/apps/custodian.png
  usr/share/icons/hicolor/128x128/apps/custodian.png
  usr/share/icons/hicolor/256x256/apps/custodian.png
  usr/share/icons/hicolor/512x512/apps/custodian.png
)

# Runs the unpacked binary in a throwaway workspace.
run_unpacked() {
  local root=$1 what=$2 data="$scratch/data-$2"
  local bin="$root/usr/bin/custodian"
  local printed
  printed=$("$bin" --version)
  [ "$printed" = "custodian $version ($commit)" ] || fail "$what --version printed '$printed'"
  # doctor exits 1 when a check fails; a fresh directory is fine, so every check here passes or warns.
  printed=$("$bin" --data-dir "$data" doctor) || fail "$what doctor failed: $printed"
  has "$printed" "custodian $version ($commit)" "$what doctor"
  has "$printed" "keychain" "$what doctor"
  "$bin" --data-dir "$data" client add "Acme Shoes" >/dev/null
  has "$("$bin" --data-dir "$data" client list)" "Acme Shoes" "$what client list"
  "$bin" --data-dir "$data" workspace delete --yes >/dev/null
  [ ! -e "$data" ] || fail "$what workspace delete left $data"
  echo "package test: $what: --version, doctor and a client round trip pass"
}

# The Debian package.
info=$(dpkg-deb -I "$deb")
for field in "Package: custodian" "Version: $version" "Maintainer: Custodian <" "Homepage: https://" \
  "Depends: libssl3 | libssl3t64, libdbus-1-3, libwebkit2gtk-4.1-0, libgtk-3-0" "Recommends: gnome-keyring" \
  "Description: Privacy console for Meta Lead Ads agencies"; do
  has "$info" "$field" "dpkg-deb -I"
done
listing=$(dpkg-deb -c "$deb")
for path in "${expected[@]}"; do has "$listing" " $path" "dpkg-deb -c"; done
debroot="$scratch/deb"
dpkg-deb -x "$deb" "$debroot"
desktop-file-validate "$debroot/usr/share/applications/Custodian.desktop"
entry=$(cat "$debroot/usr/share/applications/Custodian.desktop")
for line in "Name=Custodian" "GenericName=Privacy console" "Exec=custodian" "Icon=custodian" "Keywords=" "Categories=Office;"; do
  has "$entry" "$line" "the desktop entry"
done
run_unpacked "$debroot" deb

# The RPM package, where this machine can read one.
if command -v rpm2cpio >/dev/null && command -v cpio >/dev/null; then
  if command -v rpm >/dev/null; then
    info=$(rpm -qip "$rpm" 2>/dev/null)
    for field in "Name        : custodian" "Version     : $version" "License     :" "URL         : https://" "Summary     : Privacy console"; do
      has "$info" "$field" "rpm -qi"
    done
    requires=$(rpm -qpR "$rpm" 2>/dev/null)
    for dep in openssl-libs dbus-libs; do has "$requires" "$dep" "rpm -qR"; done
  fi
  rpmroot="$scratch/rpm"
  mkdir -p "$rpmroot"
  # rpm2cpio 4.18 writes the whole payload of these packages and still exits 1; the files checked
  # below say whether the payload was whole.
  rpm2cpio "$rpm" >"$scratch/payload.cpio" || true
  (cd "$rpmroot" && cpio -idm --quiet <"$scratch/payload.cpio")
  for path in "${expected[@]}"; do [ -e "$rpmroot/$path" ] || fail "the rpm has no $path"; done
  desktop-file-validate "$rpmroot/usr/share/applications/Custodian.desktop"
  run_unpacked "$rpmroot" rpm
else
  echo "package test: rpm2cpio is not here; the rpm's contents are not checked"
fi
echo "package test: passed"
