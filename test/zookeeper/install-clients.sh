#!/usr/bin/env bash
# Installs the real ZooKeeper clients the ZooKeeper-port tests and bench/zookeeper.ts use: zkCli.sh and
# Apache ZooKeeper itself (Debian's zookeeper package) and kazoo (python3-kazoo, for /usr/bin/python3).
# Needs root and Debian's apt archive; anything that does not install is skipped by the tests with a
# message, so this script never fails the build.
set -uo pipefail
if [ -x /usr/share/zookeeper/bin/zkCli.sh ] && /usr/bin/python3 -c 'import kazoo' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-clients: not root or no apt-get; the zkCli and kazoo tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends zookeeper python3-kazoo >/dev/null \
  || echo "install-clients: apt-get could not install zookeeper/python3-kazoo; their tests will be skipped" >&2
exit 0
