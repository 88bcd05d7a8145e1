#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real when they are missing:
# chromium (the studio tests), espeak-ng (speech in previz and the sound pass), postgresql (the tests start
# their own server with initdb + pg_ctl). Called by `make test` (and so by `.ci/run`) with no arguments;
# `make demo` names only what the demo uses: `system-packages.sh espeak-ng`.
set -uo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(espeak-ng chromium postgresql)
need=()
for package in "${wanted[@]}"; do
  case "$package" in
    espeak-ng) command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng) ;;
    chromium) [ -x /usr/bin/chromium ] || need+=(chromium) ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql) ;;
    *) echo "warning: no check for '$package'" >&2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: missing ${need[*]} and no apt-get to install them" >&2
  exit 0
fi
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); else
    echo "warning: missing ${need[*]}; run as root: apt-get install ${need[*]}" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing Debian packages: ${need[*]}"
"${sudo_cmd[@]}" apt-get update -qq || true
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "warning: could not install ${need[*]}" >&2
