#!/bin/sh
# make deps: install the Debian packages the project needs, when missing.
# Root runs apt-get itself; anyone else is told the exact command.
set -eu
PACKAGES="make gcc git qemu-system-misc gdb-multiarch gcc-riscv64-unknown-elf
binutils-riscv64-unknown-elf python3 python3-pyelftools python3-pytest python3-pexpect
clang libclang-rt-14-dev qemu-utils"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "make deps: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "make deps: run this as root, then try again:"
    echo "    sudo apt-get update && sudo apt-get install -y$missing"
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q $missing
