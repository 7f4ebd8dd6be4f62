#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# qemu-ppc64el.sh - run the test suite on a real 64 KiB-page kernel: Debian's
# ppc64el kernel booted under qemu-system-ppc64 (pseries, emulated POWER9).
# For developers, not CI: it takes several minutes (emulated, 2 cores).
#
#   scripts/qemu-ppc64el.sh [SCALE]     SCALE: VMAP_TEST_SCALE (default 0.1)
#
# Everything comes from Debian: qemu-system-ppc, and from the ppc64el
# archive (multiarch, see scripts/deps.sh) the kernel and busybox-static,
# fetched with `apt-get download` into build/ppc64el-vm. The suite is
# cross-built (cmake/cross.cmake) and packed, with the target's C library,
# cmocka and busybox, into an initramfs whose /init runs it and powers off:
# no disk image, no root file system to install.
#
# Prints each test program's result and a last line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

scale=${1:-0.1}
vm=$PWD/build/ppc64el-vm
triplet=powerpc64le-linux-gnu
mkdir -p "$vm"

# ---- what it needs, from Debian ------------------------------------------
bash scripts/deps.sh platform ppc64el
if ! command -v qemu-system-ppc64 >/dev/null || ! command -v cpio >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove \
		qemu-system-ppc cpio >/dev/null
fi
fetch() { # fetch PACKAGE: unpack the ppc64el package into $vm/PACKAGE
	[ -d "$vm/$1" ] && return
	(cd "$vm" && apt-get download "$1:ppc64el" >/dev/null 2>&1) || {
		echo "qemu-ppc64el.sh: cannot download $1:ppc64el (is ppc64el a dpkg architecture here?)" >&2
		exit 1
	}
	dpkg-deb -x "$vm"/"${1}"_*_ppc64el.deb "$vm/$1"
}
kernel_pkg=$(apt-cache depends linux-image-powerpc64le:ppc64el 2>/dev/null |
	sed -nE 's/.*Depends: (linux-image-[0-9][^:]*).*/\1/p' | head -1)
[ -n "$kernel_pkg" ] || { echo "qemu-ppc64el.sh: no linux-image-powerpc64le in the archive" >&2; exit 1; }
fetch "$kernel_pkg"
fetch busybox-static
vmlinux=$(ls "$vm/$kernel_pkg"/boot/vmlinux-*)

# ---- the suite, cross-built ------------------------------------------------
cmake -S . -B "$vm/build" -DCMAKE_TOOLCHAIN_FILE=cmake/cross.cmake -DVMAP_TRIPLET=$triplet \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMAP_BENCH=OFF >/dev/null
cmake --build "$vm/build" -j2 >/dev/null
build/ci-native/tests/vmap_roundtrip write "$vm/from-x86_64.vmap" 2>/dev/null || {
	cmake -S . -B build/ci-native -DVMAP_BENCH=OFF -DVMAP_TOOLS=OFF >/dev/null
	cmake --build build/ci-native -j2 --target vmap_roundtrip >/dev/null
	build/ci-native/tests/vmap_roundtrip write "$vm/from-x86_64.vmap"
}

# ---- the initramfs ---------------------------------------------------------
root=$vm/root
rm -rf "$root"
mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib64,vmap/tests,vmap/tools} "$root/lib/$triplet"
cp "$vm/busybox-static/bin/busybox" "$root/bin/"
cp -L /lib64/ld64.so.2 "$root/lib64/" 2>/dev/null ||
	cp -L "/usr/$triplet/lib/ld64.so.2" "$root/lib64/"
for lib in libc.so.6 libm.so.6 libcmocka.so.0; do
	cp -L "/lib/$triplet/$lib" "$root/lib/$triplet/" 2>/dev/null ||
		cp -L "/usr/lib/$triplet/$lib" "$root/lib/$triplet/"
done
cp -L "$vm"/build/libvmap.so.1 "$root/lib/$triplet/"
cp "$vm"/build/tests/test_* "$vm"/build/tests/vmap_smoke* "$vm"/build/tests/vmap_roundtrip \
	"$vm/from-x86_64.vmap" "$root/vmap/tests/"
cp "$vm"/build/tools/vmap "$vm"/build/tools/vmwatch tools/tests/*.sh "$root/vmap/tools/"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm
mount -t tmpfs tmp /tmp
mount -t tmpfs shm /dev/shm
export VMAP_TEST_SCALE=$scale CMOCKA_MESSAGE_OUTPUT=STDOUT PATH=/bin
echo "VMAP: kernel \$(uname -r) \$(uname -m)"
cd /vmap/tests
pass=0 fail=0
result() { # NAME STATUS
	if [ "\$2" = 0 ]; then pass=\$((pass + 1)); echo "VMAP-RESULT: \$1 passed";
	else fail=\$((fail + 1)); echo "VMAP-RESULT: \$1 FAILED (\$2)"; fi
}
./vmap_roundtrip verify from-x86_64.vmap; result roundtrip_from_x86_64 \$?
./vmap_roundtrip write /tmp/from-ppc64el.vmap && ./vmap_roundtrip verify /tmp/from-ppc64el.vmap
result roundtrip_here \$?
echo "VMAP: \$(../tools/vmap stat /tmp/from-ppc64el.vmap | grep page_size)"
for t in vmap_smoke vmap_smoke_shared test_*; do
	./\$t > /tmp/out.txt 2>&1; rc=\$?
	grep -E "^skipped|FAILED|error:|seed" /tmp/out.txt | head -20
	result \$t \$rc
done
sh ../tools/vmap_cli.sh ../tools/vmap ../tools/vmwatch > /tmp/out.txt 2>&1; rc=\$?
tail -3 /tmp/out.txt; result tools_vmap_cli \$rc
echo "VMAP-DONE: \$pass passed, \$fail failed"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$vm/initramfs.gz"

# ---- boot ------------------------------------------------------------------
# TCG cannot give the spectre mitigations pseries asks for by default: say
# they are absent. No network, no disk: the console is the only device.
log=$vm/console.log
echo "booting $(basename "$vmlinux") under qemu-system-ppc64 (console: $log)"
timeout 3600 qemu-system-ppc64 -M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off \
	-cpu power9 -smp 2 -m 2G -nographic -vga none -no-reboot -net none \
	-kernel "$vmlinux" -initrd "$vm/initramfs.gz" -append "console=hvc0 quiet" |
	tee "$log" | grep --line-buffered -E "^VMAP|^skipped|FAILED|Kernel panic" || true
line=$(grep -a "^VMAP-DONE:" "$log" | tail -1 | sed 's/^VMAP-DONE: //; s/\r$//')
if [ -z "$line" ]; then
	echo "qemu-ppc64el.sh: the suite did not finish; see $log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$line"
case $line in *", 0 failed") ;; *) exit 1 ;; esac
