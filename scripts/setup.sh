#!/usr/bin/env bash
# Installs what gasdesk needs on Debian 12 / Ubuntu 24.04: the system libraries Qt loads, a Chinese
# TrueType font for forms and widgets, poppler for looking at PDFs, then a virtual environment
# (.venv) with gasdesk and, with --test, its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

packages=(
  python3-venv libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libcups2
  fonts-wqy-microhei fonts-hanazono poppler-utils
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "gasdesk needs Python 3.11 or newer (found $("$python" --version))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# PySide6-Pdf exists only for PySide6 6.12+, which Python 3.11 must not use (see pyproject.toml). Its
# wheel shares files with PySide6-Essentials/Addons (PySide6/__init__.py, QtPdf), so after removing it
# the pinned binding is laid down again over whatever it took away.
if .venv/bin/python -c 'import sys; sys.exit(sys.version_info >= (3, 12))' \
    && .venv/bin/python -m pip show -q PySide6-Pdf >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -y -q PySide6-Pdf
  .venv/bin/python -m pip install -q --force-reinstall --no-deps "PySide6-Essentials>=6.7,<6.12" \
    "PySide6-Addons>=6.7,<6.12" "shiboken6>=6.7,<6.12"
fi
if [ $with_tests -eq 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
