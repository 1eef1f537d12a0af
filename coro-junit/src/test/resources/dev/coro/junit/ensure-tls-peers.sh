#!/usr/bin/env bash
# Makes sure the TLS peers of TlsPeersIT are on PATH (openssl, curl, python3 with its ssl module),
# installing Debian's packages for the missing ones. Exits non-zero (with the reason on stderr) when
# one is missing and cannot be installed.
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ssl, asyncio' >/dev/null 2>&1; then missing+=(python3); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]} and no apt-get to install them" >&2; exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
  else echo "missing ${missing[*]} and not root (nor password-less sudo) to install them" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq "${missing[@]}" >&2
