# SPDX-License-Identifier: GPL-2.0-or-later
# Host side of the stock-kernel VM rig (sourced, bash): stage an initramfs
# from the freshly built tools, boot Debian's stock kernel under QEMU (TCG)
# with no network device, stream the serial console, judge its TAP.
# Used by tests/vm/run-vm (`make check-vm`) and bench/run-vm (`make bench-vm`).
#
# Guest layout:  /init  /v6kit/lib.sh  /v6kit/env  /v6kit/bin/TOOL
#                /v6kit/tools  /v6kit/modules.load  /v6kit/scenarios/*.sh
# Extra host programs a scenario needs are declared in its header:
#     # vm-needs: PROG...        copied to /usr/bin with their libraries
#     # vm-modules: MODULE...    loaded at boot, with their dependencies
#     # vm-files: PATH...          repository files (scripts), at /v6kit/files/PATH
# so adding a scenario never means editing this file.

VM_TOP=${VM_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_DIR="$VM_TOP/tests/vm"
# What every guest gets: a shell and tools (busybox), iproute2's ip (busybox's
# lacks netns and sit), jq for -j output, and the tunnel and veth modules.
VM_BASE_PROGS=(ip jq)
VM_BASE_MODULES=(sit veth tun)

vm_die() { printf '%s: %s\n' "${VM_NAME:-vm}" "$*" >&2; exit 2; }

# vm_pick_kernel: set VM_KERNEL (image) and VM_KVER (its module tree) from
# $VM_KERNEL, or the newest Debian cloud kernel in /boot.
vm_pick_kernel() {
	local k
	if [ -z "${VM_KERNEL:-}" ]; then
		for k in /boot/vmlinuz-*-cloud-amd64 /boot/vmlinuz-*; do
			[ -e "$k" ] || continue
			[ -d "/lib/modules/${k#/boot/vmlinuz-}" ] || continue
			VM_KERNEL=$k
			break
		done
	fi
	if [ -z "${VM_KERNEL:-}" ] || [ ! -r "$VM_KERNEL" ]; then
		vm_die "no readable kernel image in /boot (install linux-image-cloud-amd64 or set VM_KERNEL)"
	fi
	VM_KVER=${VM_KVER:-${VM_KERNEL##*/vmlinuz-}}
	[ -f "/lib/modules/$VM_KVER/modules.dep" ] || vm_die "no /lib/modules/$VM_KVER/modules.dep"
}

# vm_stage_begin DIR: the skeleton — busybox, the console node, init, lib.sh.
vm_stage_begin() {
	local root=$1 bb
	bb=$(command -v busybox) || vm_die "busybox not found (install busybox-static)"
	# A dynamically linked busybox would need its libraries before /init runs.
	if ldd "$bb" >/dev/null 2>&1; then
		vm_die "$bb is dynamically linked (install busybox-static)"
	fi
	mkdir -p "$root"/{bin,sbin,usr/bin,dev,proc,sys,run,tmp,etc,v6kit/bin,v6kit/scenarios}
	cp "$bb" "$root/bin/busybox"
	# The kernel opens /dev/console for init before devtmpfs exists; without
	# root the node cannot be made and init reopens the console itself.
	mknod "$root/dev/console" c 5 1 2>/dev/null || true
	install -m 755 "$VM_DIR/init" "$root/init"
	install -m 644 "$VM_DIR/lib.sh" "$root/v6kit/lib.sh"
	# rt_tables for the tools that name tables; libnl's classid file.
	[ -d /etc/iproute2 ] && cp -r /etc/iproute2 "$root/etc/"
	[ -d /etc/libnl ] && cp -r /etc/libnl "$root/etc/"
	: >"$root/v6kit/modules.load"
	: >"$root/v6kit/env"
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# vm_stage_libs DIR FILE: the shared libraries FILE loads, at the paths ldd
# resolves them to (the dynamic loader included).
vm_stage_libs() {
	local root=$1 file=$2 lib
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$file" 2>/dev/null | grep -oE '/[^ ]+' | grep -v '^/.*:$' | sort -u)
}

# vm_stage_prog DIR PROG [DEST]: a host program (name or path) and its
# libraries; DEST defaults to /usr/bin/NAME, which comes first in PATH.
vm_stage_prog() {
	local root=$1 prog=$2 dest=${3:-} path
	path=$(command -v "$prog") || vm_die "program '$prog' not found on this host"
	dest=${dest:-/usr/bin/$(basename "$path")}
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$path" "$root$dest"
	vm_stage_libs "$root" "$path"
}

# vm_stage_tools DIR BIN: every program built at the top of BIN (build/ by
# default: the tools and their helper programs) goes to /v6kit/bin, where
# scenarios find them through $V6KIT_BIN; /v6kit/tools names the tools
# proper (one per tools/NAME/).
vm_stage_tools() {
	local root=$1 bin=$2 f t
	for f in "$bin"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
		cp "$f" "$root/v6kit/bin/"
		vm_stage_libs "$root" "$f"
	done
	: >"$root/v6kit/tools"
	for t in "$VM_TOP"/tools/*/; do
		t=$(basename "$t")
		[ -x "$bin/$t" ] && echo "$t" >>"$root/v6kit/tools"
	done
	[ -s "$root/v6kit/tools" ] || vm_die "no tools built in $bin (run make)"
}

# vm_module_deps MODULE: the module files MODULE needs, dependencies first,
# resolved through modules.dep (not a hand list); nothing for built-ins.
declare -A VM_MODDEP=() VM_MODPATH=() VM_MODSEEN=()
vm_module_deps() {
	local name=${1//-/_} path dep deps
	[ -n "${VM_MODSEEN[$name]:-}" ] && return 0
	VM_MODSEEN[$name]=1
	if [ "${#VM_MODPATH[@]}" = 0 ]; then
		local line key
		while IFS= read -r line; do
			key=${line%%:*}
			VM_MODDEP[$key]=${line#*:}
			key=${key##*/}
			key=${key%%.ko*}
			VM_MODPATH[${key//-/_}]=${line%%:*}
		done <"/lib/modules/$VM_KVER/modules.dep"
	fi
	path=${VM_MODPATH[$name]:-}
	if [ -z "$path" ]; then
		grep -qE "/${name//_/[-_]}\.ko" "/lib/modules/$VM_KVER/modules.builtin" 2>/dev/null &&
			return 0
		vm_die "kernel $VM_KVER has no module '$1'"
	fi
	# modules.dep lists the whole closure, nearest first: load from the end.
	read -ra deps <<<"${VM_MODDEP[$path]}"
	local i
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		dep=${deps[i]##*/}
		vm_module_deps "${dep%%.ko*}"
	done
	printf '%s\n' "$path"
}

# vm_stage_modules DIR MODULE...: copy the modules (decompressed, as
# busybox insmod wants) and append them to /v6kit/modules.load in order.
vm_stage_modules() {
	local root=$1 m f out
	shift
	local files=()
	for m in "$@"; do
		mapfile -t -O "${#files[@]}" files < <(vm_module_deps "$m")
	done
	# Each call resolves in a subshell: a dependency shared by two modules
	# comes twice, and a second insmod would fail.  Keep the first.
	mapfile -t files < <(printf '%s\n' "${files[@]}" | awk '!seen[$0]++')
	for f in "${files[@]}"; do
		out="/lib/modules/$VM_KVER/${f%.ko*}.ko"
		mkdir -p "$root$(dirname "$out")"
		case "$f" in
		*.ko) cp "/lib/modules/$VM_KVER/$f" "$root$out" ;;
		*.ko.xz) xz -dc "/lib/modules/$VM_KVER/$f" >"$root$out" ;;
		*.ko.zst) zstd -qdc "/lib/modules/$VM_KVER/$f" >"$root$out" ;;
		*.ko.gz) gzip -dc "/lib/modules/$VM_KVER/$f" >"$root$out" ;;
		*) vm_die "unknown module format: $f" ;;
		esac
		printf '%s\n' "$out" >>"$root/v6kit/modules.load"
	done
}

# vm_header_words FILE KEY: the words after "# KEY:" lines in FILE's header.
vm_header_words() {
	sed -n "s/^# $2:[[:space:]]*//p" "$1" | tr -s ' \t' '\n' | grep -v '^$' || true
}

# vm_stage_scenarios DIR FILE...: the scenario scripts, plus the programs and
# modules their headers ask for.
vm_stage_scenarios() {
	local root=$1 f p
	shift
	local progs=("${VM_BASE_PROGS[@]}") mods=("${VM_BASE_MODULES[@]}")
	for f in "$@"; do
		install -m 644 "$f" "$root/v6kit/scenarios/$(basename "$f")"
		mapfile -t -O "${#progs[@]}" progs < <(vm_header_words "$f" vm-needs)
		mapfile -t -O "${#mods[@]}" mods < <(vm_header_words "$f" vm-modules)
		for p in $(vm_header_words "$f" vm-files); do
			[ -f "$VM_TOP/$p" ] || vm_die "$(basename "$f"): no file '$p' in the repository"
			install -D -m "$(stat -c %a "$VM_TOP/$p")" "$VM_TOP/$p" "$root/v6kit/files/$p"
		done
	done
	for p in $(printf '%s\n' "${progs[@]}" | sort -u); do
		# A scenario checks have_prog and skips what it cannot do.
		if command -v "$p" >/dev/null; then
			vm_stage_prog "$root" "$p"
		else
			echo "${VM_NAME:-vm}: '$p' not installed on this host; scenarios needing it will skip" >&2
		fi
	done
	# shellcheck disable=SC2046 # one module name per word
	vm_stage_modules "$root" $(printf '%s\n' "${mods[@]}" | awk '!seen[$0]++')
}

# vm_stage_env DIR NAME=VALUE...: settings the guest's init reads.
vm_stage_env() {
	local root=$1 kv
	shift
	for kv in "$@"; do
		printf "%s='%s'\n" "${kv%%=*}" "${kv#*=}" >>"$root/v6kit/env"
	done
}

# vm_pack DIR OUT: an uncompressed newc cpio (the kernel unpacks it fastest).
vm_pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2"
}

# vm_boot INITRD LOG SECS: boot the guest, show its console as it comes,
# and stop it after SECS.  Sets VM_TIMED_OUT=1 when the guest had to be
# killed.  The caller's EXIT trap must call vm_kill.
VM_QEMU_PID=
VM_TAIL_PID=
vm_boot() {
	local initrd=$1 log=$2 secs=$3 deadline
	VM_TIMED_OUT=0
	: >"$log"
	if [ "${VM_SHELL:-0}" = 1 ]; then
		vm_shell "$initrd"
		return
	fi
	# -nodefaults: no VGA, no NIC, no monitor; the serial port is the only
	# way in or out.  KVM guests hang on this host's nested setup: TCG.
	qemu-system-x86_64 -accel tcg -m "${VM_MEM:-512}" -smp "${VM_SMP:-2}" \
		-nodefaults -no-user-config -display none -monitor none -nic none \
		-serial "file:$log" -no-reboot \
		-kernel "$VM_KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=1 ${VM_APPEND:-}" \
		</dev/null >"$log.qemu" 2>&1 &
	VM_QEMU_PID=$!
	if [ "${VM_QUIET:-0}" = 0 ]; then
		tail -n +1 -F --pid="$VM_QEMU_PID" "$log" 2>/dev/null | sed -u 's/\r$//' &
		VM_TAIL_PID=$!
	fi
	deadline=$((SECONDS + secs))
	while kill -0 "$VM_QEMU_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			VM_TIMED_OUT=1
			vm_kill
			break
		fi
		sleep 0.2
	done
	wait "$VM_QEMU_PID" 2>/dev/null || true
	VM_QEMU_PID=
	if [ -n "$VM_TAIL_PID" ]; then
		wait "$VM_TAIL_PID" 2>/dev/null || true
		VM_TAIL_PID=
	fi
	if [ -s "$log.qemu" ]; then
		sed 's/^/qemu: /' "$log.qemu" >&2
	fi
}

# vm_shell INITRD: for people, not for make check: the guest on this
# terminal, no timeout; init leaves a shell after the scenarios (exit or
# Ctrl-A x ends it).
vm_shell() {
	echo "${VM_NAME:-vm}: interactive guest; 'exit' powers it off, Ctrl-A x kills it" >&2
	qemu-system-x86_64 -accel tcg -m "${VM_MEM:-512}" -smp "${VM_SMP:-2}" \
		-nodefaults -no-user-config -display none -nic none \
		-chardev stdio,id=con,mux=on,signal=off -serial chardev:con -mon chardev=con \
		-no-reboot -kernel "$VM_KERNEL" -initrd "$1" \
		-append "console=ttyS0 panic=-1 loglevel=1 ${VM_APPEND:-}" || true
}

# vm_kill: stop the guest (and the console reader) by pid, whatever state
# it is in.
vm_kill() {
	local p
	for p in $VM_QEMU_PID $VM_TAIL_PID; do
		kill -TERM "$p" 2>/dev/null || continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$p" 2>/dev/null || true
	done
}

# vm_verdict LOG: judge the console's TAP.  Fails on any "not ok", a missing
# or wrong plan, a missing end marker, or a timeout; prints the final line
# "vm: N passed, N failed" (skips reported on the line before).
vm_verdict() {
	local log=$1 tap pass skip fail plan reason=""
	tap=$(tr -d '\r' <"$log")
	pass=$(grep -cE '^ok ' <<<"$tap" || true)
	skip=$(grep -ciE '^ok [0-9]* *-.*# skip' <<<"$tap" || true)
	fail=$(grep -cE '^not ok ' <<<"$tap" || true)
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' <<<"$tap" | tail -1)
	if [ "$VM_TIMED_OUT" = 1 ]; then
		reason="guest timed out"
	elif [ -z "$plan" ]; then
		reason="no TAP plan on the console"
	elif [ "$plan" != $((pass + fail)) ]; then
		reason="plan says $plan tests, console shows $((pass + fail))"
	elif ! grep -qx '# v6kit-vm: end' <<<"$tap"; then
		reason="guest did not reach the end of its run"
	elif grep -q 'Kernel panic' <<<"$tap"; then
		reason="kernel panic"
	fi
	[ "$skip" -gt 0 ] && echo "vm: $skip skipped"
	if [ -n "$reason" ]; then
		echo "vm: $reason"
		fail=$((fail + 1))
	fi
	echo "vm: $((pass - skip)) passed, $fail failed"
	[ "$fail" = 0 ]
}
