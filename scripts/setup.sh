#!/usr/bin/env bash
# Sets shenhe up on a Debian machine: system packages (when root), a virtual environment, the project.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice (no GUI) converts legacy .doc/.xls/.wps submissions; the browser tests drive chromium.
DEBIAN_PACKAGES=(fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-ukai tesseract-ocr tesseract-ocr-chi-sim
                 libreoffice-writer-nogui libreoffice-calc-nogui chromium)
PYTHON=${PYTHON:-python3}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "缺少系统软件包：${missing[*]}" >&2
    echo "请以 root 运行：apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
echo "环境就绪：$(.venv/bin/shenhe --version)"
