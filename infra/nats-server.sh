#!/usr/bin/env bash
# Prints the path of a nats-server 2.10 or newer on stdout, and nothing else there (progress goes to stderr).
# Order: $NATS_SERVER_BIN, a nats-server on PATH, this user's cache, else Debian's package from sid or
# trixie. Debian 12 ships 2.9, which lacks JetStream's `sync_interval: always` (new in 2.10.0), and nzk
# needs it so that an acknowledged append survives a crash. So a newer suite's package is fetched with a
# private apt state: the machine's own apt configuration is never changed. The mirror is read from apt's
# config at run time, so no download host is written into the repository.
set -euo pipefail

MIN_MINOR=10 # of major version 2
CACHE_ROOT="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nzk/nats-server"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
tried=()
work=""
trap '[[ -z $work ]] || rm -rf "$work"' EXIT

say() { printf 'nats-server.sh: %s\n' "$*" >&2; }

version_of() {
  "$1" --version 2>/dev/null | sed -n 's/.*v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1
}

# Succeeds when $1 runs here and reports version 2.10 or newer.
new_enough() {
  local version major minor
  version="$(version_of "$1")" || return 1
  [[ -n $version ]] || return 1
  IFS=. read -r major minor _ <<<"$version"
  ((major > 2 || (major == 2 && minor >= MIN_MINOR)))
}

found() {
  printf '%s\n' "$1"
  exit 0
}

fail() {
  say "no usable nats-server (2.10 or newer) was found or installed."
  local line
  for line in "${tried[@]}"; do say "  tried: $line"; done
  say "fix: install nats-server 2.10+ and set NATS_SERVER_BIN=/path/to/nats-server (or put it on PATH),"
  say "     or run this script as root on a Debian/Ubuntu machine that can reach its Debian archive mirror."
  exit 1
}

if [[ -n ${NATS_SERVER_BIN:-} ]]; then
  # An explicit choice that does not work is an error, not something to silently replace.
  if new_enough "$NATS_SERVER_BIN"; then found "$NATS_SERVER_BIN"; fi
  tried+=("NATS_SERVER_BIN=$NATS_SERVER_BIN: reports version '$(version_of "$NATS_SERVER_BIN" || true)', not 2.10+")
  fail
fi

if on_path="$(command -v nats-server)"; then
  if new_enough "$on_path"; then found "$on_path"; fi
  tried+=("$on_path on PATH: version '$(version_of "$on_path" || true)' is older than 2.10")
else
  tried+=("nats-server on PATH: none")
fi

use_cached() {
  local cached
  [[ -d $CACHE_ROOT ]] || return 0
  while IFS= read -r cached; do
    if new_enough "$cached"; then found "$cached"; fi
  done < <(find "$CACHE_ROOT" -mindepth 2 -maxdepth 2 -name nats-server | sort -V -r)
}
use_cached

# Test workers may all arrive here at once on a first run: one installs, the others wait and reuse it.
if mkdir -p "$CACHE_ROOT" 2>/dev/null && command -v flock >/dev/null && exec 9>"$CACHE_ROOT/.install.lock"; then
  flock 9
  use_cached
fi
tried+=("cache $CACHE_ROOT: no working copy")

# The mirror that serves the machine's own Debian release also carries sid and trixie.
mirror_uri() {
  local uri release
  # shellcheck disable=SC2016 # $(…) is apt's own template syntax, not the shell's
  while read -r uri release; do
    case "$release" in
    bookworm | trixie | sid | stable | testing | unstable) printf '%s\n' "$uri" && return 0 ;;
    esac
  done < <(apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | sort -u)
  return 1
}

install_from_debian() {
  local mirror candidates version binary upstream target tool
  for tool in apt-get apt-cache dpkg-deb; do
    command -v "$tool" >/dev/null || {
      tried+=("Debian package: $tool not found (not a Debian-based machine)")
      return 1
    }
  done
  [[ -r $KEYRING ]] || {
    tried+=("Debian package: $KEYRING missing (apt-get install debian-archive-keyring)")
    return 1
  }
  mirror="$(mirror_uri)" || {
    tried+=("Debian package: no Debian archive mirror in apt's configuration (apt-get indextargets)")
    return 1
  }

  work="$(mktemp -d)"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
  printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "$mirror" sid "$KEYRING" "$mirror" trixie \
    >"$work/sources.list"
  local apt_opts=(
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o APT::Sandbox::User=root
  )

  say "fetching package lists for sid and trixie from $mirror"
  if ! apt-get "${apt_opts[@]}" -q update >&2; then
    tried+=("Debian package: 'apt-get update' of sid/trixie from $mirror failed (see above; as non-root, apt may refuse)")
    return 1
  fi
  # madison lists newest first: sid's 2.1x, then trixie's as the fallback.
  mapfile -t candidates < <(apt-cache "${apt_opts[@]}" madison nats-server |
    awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -E '^2\.[1-9][0-9]' || true)
  if ((${#candidates[@]} == 0)); then
    tried+=("Debian package: neither sid nor trixie at $mirror offers nats-server 2.1x")
    return 1
  fi

  for version in "${candidates[@]}"; do
    say "downloading nats-server $version"
    rm -rf "$work/deb" && mkdir -p "$work/deb"
    if ! (cd "$work/deb" && apt-get "${apt_opts[@]}" -q download "nats-server=$version" >&2); then
      tried+=("Debian package nats-server=$version: download failed")
      continue
    fi
    dpkg-deb -x "$work"/deb/nats-server_*.deb "$work/deb/root"
    binary="$work/deb/root/usr/sbin/nats-server"
    # sid's build may need a newer libc than this machine has; then trixie's is the one to use.
    if ! new_enough "$binary"; then
      tried+=("Debian package nats-server=$version: the binary does not run here")
      continue
    fi
    upstream="$(version_of "$binary")"
    target="$CACHE_ROOT/$upstream/nats-server"
    mkdir -p "$CACHE_ROOT/$upstream"
    # Copy then rename, so a concurrent run never sees a half-written binary.
    cp "$binary" "$target.$$"
    chmod 0755 "$target.$$"
    mv -f "$target.$$" "$target"
    say "installed nats-server $upstream into $target"
    printf '%s\n' "$target"
    return 0
  done
  return 1
}

if install_from_debian; then exit 0; fi
fail
