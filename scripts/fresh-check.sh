#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Proves the README's commands on a truly fresh Debian 12 system.
#
#   scripts/fresh-check.sh [test|bench]      (make fresh-check [FRESH_TARGET=bench])
#
# 1. debootstrap --variant=minbase bookworm into $FRESH_ROOT (default
#    /var/tmp/synk-fresh/root, made anew every run): only the packages of
#    priority "required", no recommendations, nothing from this machine;
# 2. inside it, as root: apt-get install make git (the README's one step
#    before its two commands), then `git clone` of this repository's HEAD
#    (committed work only: a clean clone, as CI makes);
# 3. `make test` (or `make bench QUICK=1`) there, in a clean environment
#    (env -i: nothing inherited from the calling shell, e.g. NODE_EXTRA_CA_CERTS
#    or SYNK_ISA), so every package the target needs must be installed by
#    the Makefile itself, by name.
#
# The package archive is the one this machine's apt uses (read from
# /etc/apt/sources.list*), with this machine's apt settings (apt.conf.d: e.g.
# a snapshot archive's Check-Valid-Until) and its own certificate authorities
# (/usr/local/share/ca-certificates), so the root reaches exactly what a
# fresh machine here would; nothing else comes from the host. The log is
# $FRESH_DIR/<target>.log; the exit status is that of the make target. Needs root, debootstrap (Debian package
# debootstrap) and ~8 GB of disk. Keeps the root afterwards for inspection
# unless FRESH_KEEP=0.
set -euo pipefail
target=${1:-test}
case $target in test|bench) ;; *) echo "fresh-check: target must be test or bench" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
dir=${FRESH_DIR:-/var/tmp/synk-fresh}
root=${FRESH_ROOT:-$dir/root}
suite=bookworm

[[ $(id -u) == 0 ]] || { echo "fresh-check: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || {
  echo "fresh-check: needs debootstrap:  apt-get update && apt-get install -y debootstrap" >&2; exit 1; }
git -C "$src" rev-parse --verify -q HEAD >/dev/null || { echo "fresh-check: $src is not a git checkout" >&2; exit 1; }

# The archive this machine's apt reads for the suite (deb822 or one-line format).
mirror=$(
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
      /^URIs:/ {u=$2} /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == "'$suite'") print u}'
    grep -hE "^deb[[:space:]]+[^[:space:]]+[[:space:]]+$suite[[:space:]]" /etc/apt/sources.list 2>/dev/null |
      awk '{print $2}'; } | head -n1) || true
[[ -n $mirror ]] || { echo "fresh-check: no '$suite' entry in /etc/apt/sources.list*" >&2; exit 1; }

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  if [[ ${FRESH_KEEP:-1} == 0 ]]; then rm -rf "$root"; fi
}
trap cleanup EXIT

mkdir -p "$dir"
log=$dir/$target.log
: >"$log"
echo "fresh-check: debootstrap --variant=minbase $suite into $root (log: $log)"
rm -rf "$root"
mkdir -p "$root"
start=$(date +%s)
debootstrap --variant=minbase "$suite" "$root" "$mirror" >>"$log" 2>&1 || {
  tail -n 20 "$log" >&2; echo "fresh-check: debootstrap failed" >&2; exit 1; }

# This machine's archive list and apt settings; nothing else from the host.
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -f $f ]] && cp "$f" "$root$f"
done
for f in /etc/apt/apt.conf.d/*; do [[ -f $f && ! -e $root$f ]] && cp "$f" "$root$f"; done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# This machine's own certificate authorities (a network that inspects TLS
# has one): like the archive, part of how this machine reaches the
# registries. ca-certificates, which the Makefile installs, adds them to the
# system bundle; Node.js reads that bundle through NODE_EXTRA_CA_CERTS, set
# below only when such authorities exist (as this machine's environment sets it).
extra_ca=""
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  extra_ca="NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
fi

for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
  case $m in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sys "$root/sys" ;;
    *) mount --bind "/$m" "$root/$m" ;;
  esac
  mounted+=("$root/$m")
done
mkdir -p "$root/dev/shm" "$root/src"
mount -t tmpfs shm "$root/dev/shm" && mounted+=("$root/dev/shm")
mount --bind "$src" "$root/src" && mount -o remount,bind,ro "$root/src" && mounted+=("$root/src")

case $target in
  test) make_cmd="make test" ;;
  bench) make_cmd="make bench QUICK=1" ;;
esac
echo "fresh-check: apt-get install make git; git clone; $make_cmd (in a clean environment)"
rc=0
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb CI=true $extra_ca /bin/bash -euo pipefail -c "
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends make git
    git config --global --add safe.directory /src
    git clone -q /src /work/synk
    cd /work/synk
    echo \"fresh-check: testing commit \$(git rev-parse --short HEAD)\"
    $make_cmd" >>"$log" 2>&1 || rc=$?
mins=$(( ($(date +%s) - start + 59) / 60 ))
tail -n 25 "$log"
if ((rc)); then
  echo "fresh-check: FAILED ($make_cmd exited $rc after ~${mins} min; full log: $log)" >&2
  exit "$rc"
fi
echo "fresh-check: passed: $make_cmd on a fresh Debian 12 root in ~${mins} min"
