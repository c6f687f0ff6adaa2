#!/usr/bin/env bash
# Builds nes-kafka-mock (a Kafka-protocol broker for tests, see nes-kafka-mock.c)
# against a static librdkafka, once per machine; prints the binary's path on its
# last stdout line. Idempotent: when the binary for this source already exists it
# only prints the path.
#
# Why not Debian's librdkafka-dev: 2.0.2 reports controller id 0, which breaks
# kafkajs' idempotent producer. 2.15.1 is taken from the npm tarball of
# @confluentinc/kafka-javascript (the npm registry is the one source we have).
#
# Usage: build.sh [--tools-dir DIR]   (default ${NES_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nes-tools})
# Output: DIR/kafka-mock/<stamp>/nes-kafka-mock
# Needs: bash, npm, tar, cc (gcc), make, flock, sha256sum.
set -euo pipefail

tools=${NES_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nes-tools}
if [[ ${1:-} == --tools-dir && -n ${2:-} ]]; then
  tools=$2
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--tools-dir DIR]" >&2
  exit 2
fi

readonly RDKAFKA_VERSION=2.15.1
readonly RDKAFKA_VERSION_HEX=0x020f01ff
readonly KAFKA_JS_PACKAGE=@confluentinc/kafka-javascript@1.10.1
# Optional features off: the mock broker needs no TLS, SASL or codecs (it stores
# record batches as the client compressed them).
readonly CONFIGURE_FLAGS=(--disable-ssl --disable-gssapi --disable-zstd --disable-curl
  --disable-zlib --disable-lz4-ext --disable-syslog --enable-static)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$tools/kafka-mock
sources=("$here/nes-kafka-mock.c" "$here/mock-defaults.c" "$here/build.sh")
hash=$(cat "${sources[@]}" | sha256sum | cut -c1-12)
stamp=rdkafka-$RDKAFKA_VERSION-$hash
bin=$root/$stamp/nes-kafka-mock

log() { echo "kafka-mock/build.sh: $*" >&2; }

if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi

for tool in npm tar cc make flock sha256sum; do
  if ! command -v "$tool" >/dev/null; then
    log "$tool not found: run scripts/setup.sh (installs Debian build-essential, util-linux)"
    exit 1
  fi
done

mkdir -p "$root"
# Several test runs may start at once: one builds, the others wait for it.
exec 9>"$root/.lock"
flock 9
if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi

lib=$root/librdkafka-$RDKAFKA_VERSION
build_log=$root/build.log
: >"$build_log"

run() {
  if ! "$@" >>"$build_log" 2>&1; then
    log "failed: $* (last lines of $build_log follow)"
    tail -n 30 "$build_log" >&2
    exit 1
  fi
}

if [[ ! -f $lib/.built ]]; then
  started=$SECONDS
  log "building librdkafka $RDKAFKA_VERSION (once per machine, about a minute)"
  work=$(mktemp -d "$root/.work.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && run npm pack --silent "$KAFKA_JS_PACKAGE")
  run tar -xzf "$work"/*.tgz -C "$work" package/deps/librdkafka
  src=$work/package/deps/librdkafka
  if ! grep -q "define RD_KAFKA_VERSION $RDKAFKA_VERSION_HEX" "$src/src/rdkafka.h"; then
    log "$KAFKA_JS_PACKAGE does not ship librdkafka $RDKAFKA_VERSION"
    exit 1
  fi
  (cd "$src" && run ./configure --no-download "${CONFIGURE_FLAGS[@]}")
  run make -C "$src/src" -j"$(nproc)" librdkafka.a
  rm -rf "$lib"
  mv "$src" "$lib"
  touch "$lib/.built"
  rm -rf "$work"
  log "librdkafka built in $((SECONDS - started)) s"
fi

out=$(mktemp -d "$root/.out.XXXXXX")
trap 'rm -rf "$out"' EXIT
run cc -O2 -Wall -Wextra -isystem "$lib/src" -c -o "$out/main.o" "$here/nes-kafka-mock.c"
# librdkafka's internal headers are not -Wextra clean; they are not ours to fix.
run cc -O2 -w -I"$lib/src" -c -o "$out/defaults.o" "$here/mock-defaults.c"
run cc -s -o "$out/nes-kafka-mock" "$out/main.o" "$out/defaults.o" "$lib/src/librdkafka.a" \
  -lpthread -lm -ldl -lrt
rm "$out"/*.o
rm -rf "${root:?}/$stamp"
mv "$out" "$root/$stamp"
chmod 755 "$root/$stamp"
# Older launcher builds are dead weight; a run still using one keeps its inode.
find "$root" -maxdepth 1 -name "rdkafka-*" ! -name "$stamp" -exec rm -rf {} +
log "built $bin"
echo "$bin"
