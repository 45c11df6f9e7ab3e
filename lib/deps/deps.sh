#!/usr/bin/env bash
# shellcheck disable=SC2317 # some functions only run indirectly (fetch REC CMD...)
# deps.sh - fetch and build stubos' third-party dependencies from Debian bookworm
# packages only, into a content-addressed cache.
#
#   deps.sh [--print-dir] newlib x86_64|arm64   newlib libc.a/libm.a + headers
#   deps.sh [--print-dir] lwip                  pristine lwIP source tree
#   deps.sh [--print-dir] libfdt                pristine libfdt sources
#   deps.sh gc                                  delete results of older recipes
#   deps.sh --print-dir all x86_64|arm64        the three dirs above, one per line
#
# The last line on stdout is the result directory.  Progress goes to stderr, build
# output to $DEPS/log/<name>.log.  --print-dir only computes that path (no apt, no
# network, no build) so lib/deps.mk can evaluate it on every make run.
#
# Cache ($DEPS = ${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/deps):
#   dl/        downloaded Debian files + <pkg>_<version>.sha256 recorded at download
#   apt/       private deb-src apt config and indexes (/etc/apt is never touched)
#   log/       build logs
#   <name>-<debian version>[-<arch>]-<hash>/   one result; valid only with .complete
# <hash> covers the pinned versions and the text of the functions that produce the
# result, so changing a flag gives a new directory instead of a stale hit.
set -euo pipefail

# Pinned Debian versions: they name the result dirs, so --print-dir works offline.
NEWLIB_VER=3.3.0-1.3+deb12u1     # binary package newlib-source (tarball inside)
LWIP_VER=2.1.3+dfsg1-2           # source package lwip
UBOOT_VER=2023.01+dfsg-2+deb12u3 # source package u-boot, for scripts/dtc/libfdt
JOBS=${DEPS_JOBS:-2}

# (The no-op path runs on every make invocation: the top level avoids forks.)
DEPS=${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/deps
[[ $DEPS == /* ]] || DEPS=${PWD%/}/$DEPS # we cd around while building

exec 3>&2 # fd 3 = the caller's stderr, still reachable while output goes to a log

note() { echo "deps: $*" >&3; }
die() { echo "deps: error: $*" >&3; exit 1; }

# make and newlib's configure split paths on blanks: refuse early.
[[ $DEPS != *[[:space:]]* ]] || die "cache path '$DEPS' contains whitespace (set STUBOS_CACHE)"

# ---------------------------------------------------------------- naming

# arch_info ARCH: TRIPLE (newlib --target), TOOL (binutils/gcc prefix), CC_PKG.
arch_info() {
	# shellcheck disable=SC1007 # TOOL= is meant empty (plain gcc, ar...)
	case $1 in
	x86_64) TRIPLE=x86_64-xen-elf TOOL= CC_PKG=gcc ;;
	arm64) TRIPLE=aarch64-xen-elf TOOL=aarch64-linux-gnu- CC_PKG=gcc-aarch64-linux-gnu ;;
	*) die "unknown ARCH '$1' (want x86_64 or arm64)" ;;
	esac
}

# The functions whose text defines each result (comments are not part of it).
recipe_fns() {
	case $1 in
	newlib) echo arch_info newlib_target_cc newlib_configure build_newlib ;;
	lwip) echo unpack_lwip ;;
	libfdt) echo unpack_libfdt ;;
	esac
}

# result_dir KIND [ARCH]: set RESULT to where that result lives (cheap: one
# sha256sum, no other I/O).
result_dir() {
	local kind=$1 arch=${2:-} name ver
	case $kind in
	newlib) arch_info "$arch"; name=newlib-$NEWLIB_VER-$arch ver=$NEWLIB_VER ;;
	lwip) name=lwip-$LWIP_VER ver=$LWIP_VER ;;
	libfdt) name=libfdt-u-boot-$UBOOT_VER ver=$UBOOT_VER ;;
	*) die "unknown dependency '$kind' (want newlib, lwip or libfdt)" ;;
	esac
	local hash
	# shellcheck disable=SC2046 # word-splitting the function list is intended
	hash=$({ echo "$kind $ver $arch"; declare -f $(recipe_fns "$kind"); } | sha256sum)
	RESULT=$DEPS/$name-${hash:0:10}
}

# ---------------------------------------------------------------- host packages

# need CMD PKG: make sure CMD exists; install PKG when root, else fail naming it.
need() {
	command -v "$1" >/dev/null && return 0
	((EUID == 0)) || die "'$1' not found: install Debian package $2 (apt-get install $2)"
	note "installing $2 (for $1)"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may have no package lists yet: update once, then retry.
	apt-get install -y -q --no-install-recommends "$2" >>"$LOG" 2>&1 ||
		{ apt-get update -q >>"$LOG" 2>&1 && apt-get install -y -q --no-install-recommends "$2" >>"$LOG" 2>&1; } ||
		die "apt-get install $2 failed (see $LOG)"
	command -v "$1" >/dev/null || die "package $2 did not provide '$1'"
}

# ---------------------------------------------------------------- downloads

# Private apt config selecting only deb-src entries, derived from the system's
# debian.sources so it follows whatever mirror the machine uses.  APT_SRC holds
# the apt-get options that select it.
setup_src_apt() {
	local a=$DEPS/apt sys=/etc/apt/sources.list.d/debian.sources
	APT_SRC=(-o "Dir::Etc::SourceList=$a/sources.list"
		-o "Dir::Etc::SourceParts=$a/sources.list.d"
		-o "Dir::State::Lists=$a/lists"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		# _apt cannot write into a private cache under /root: download as ourselves
		-o "APT::Sandbox::User=$(id -un)")
	mkdir -p "$a/lists/partial" "$a/sources.list.d"
	: >"$a/sources.list"
	if [[ -f $sys ]]; then
		sed 's/^Types:.*/Types: deb-src/' "$sys"
	else
		printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
			'Suites: bookworm bookworm-updates' 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' '' \
			'Types: deb-src' 'URIs: http://deb.debian.org/debian-security' \
			'Suites: bookworm-security' 'Components: main' \
			'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
	fi >"$a/sources.list.d/debian-src.sources"
}

# fetched REC: true when every file listed in dl/REC still has its recorded sha256.
fetched() { [[ -f $DEPS/dl/$1 ]] && (cd "$DEPS/dl" && sha256sum --status -c "$1"); }

# fetch REC CMD...: run CMD in an empty dir, record the sha256 of what it downloaded,
# then move the files into dl/.  The record is written last: no record, no trust.
fetch() {
	local rec=$1 t
	shift
	fetched "$rec" && return 0
	[[ -f $DEPS/dl/$rec ]] && note "dl/$rec: checksum mismatch, downloading again"
	rm -f "$DEPS/dl/$rec"
	t=$(mktemp -d "$DEPS/dl/.fetch.XXXXXX")
	(cd "$t" && "$@")
	(cd "$t" && sha256sum -- *) >"$t/.rec"
	(cd "$t" && mv -f -- * "$DEPS/dl/")
	mv "$t/.rec" "$DEPS/dl/$rec"
	rm -rf "$t"
}

apt_download() { # PKG=VER, binary package via the system apt config
	local opt=()
	((EUID == 0)) && opt=(-o APT::Sandbox::User=root)
	apt-get "${opt[@]}" download "$1" ||
		{ ((EUID == 0)) && apt-get update -q && apt-get "${opt[@]}" download "$1"; }
}

apt_source() { # PKG=VER, source package via the private deb-src config
	compgen -G "$DEPS/apt/lists/*_Sources*" >/dev/null ||
		apt-get "${APT_SRC[@]}" update -q
	apt-get "${APT_SRC[@]}" source --download-only "$1" ||
		{ apt-get "${APT_SRC[@]}" update -q && apt-get "${APT_SRC[@]}" source --download-only "$1"; }
}

# ---------------------------------------------------------------- recipes
# Each recipe runs in a logged subshell: recipe WORK OUT [ARCH]; fills OUT.

# The target "compiler": host/cross gcc made freestanding.  newlib's configure adds
# its own -isystem for its headers; -nostdinc keeps glibc's /usr/include out.
newlib_target_cc() {
	local arch=$1 cc=$2 work=$3 f
	f="$cc -nostdinc -isystem $("$cc" -print-file-name=include)"
	# stubdom hygiene: nothing Linux-specific may be selected by the headers
	f+=" -U__linux__ -U__linux -Ulinux -U__gnu_linux__"
	# a kernel: no PIE, no canaries (no __stack_chk_guard), no .eh_frame
	f+=" -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables"
	# reproducible output: the temp build path must leak neither into DWARF nor
	# into __FILE__ (assert messages in dtoa/mprec end up in the kernel image)
	f+=" -ffile-prefix-map=$work=/usr/src/stubos-deps"
	case $arch in
	# Xen PV delivers events on the current stack: the red zone MUST be off.
	# -mcmodel=small: the kernel is linked below 2 GiB (Mini-OS style).
	x86_64) f+=" -mno-red-zone -mcmodel=small" ;;
	# Debian's gcc defaults to -moutline-atomics, whose libgcc helpers need glibc's
	# __getauxval.
	arm64) f+=" -mno-outline-atomics" ;;
	esac
	echo "$f"
}

newlib_configure() {
	local src=$1 prefix=$2 triple=$3 tool=$4 cc=$5
	CC_FOR_TARGET=$cc CFLAGS_FOR_TARGET="-O2 -g" \
		AR_FOR_TARGET=${tool}ar AS_FOR_TARGET=${tool}as LD_FOR_TARGET=${tool}ld \
		NM_FOR_TARGET=${tool}nm OBJDUMP_FOR_TARGET=${tool}objdump \
		RANLIB_FOR_TARGET=${tool}ranlib READELF_FOR_TARGET=${tool}readelf \
		STRIP_FOR_TARGET=${tool}strip \
		"$src/configure" --prefix="$prefix" --target="$triple" \
		--enable-newlib-io-long-long --enable-newlib-io-long-double \
		--enable-newlib-io-c99-formats \
		--disable-multilib --disable-libgloss --disable-nls \
		--disable-newlib-supplied-syscalls # (only -D__NO_SYSCALLS__, unused in 3.3.0)
}

# newlib, UNPATCHED.  Syscall layer as configure.host picks it:
#   x86_64-xen-elf: default case, -DMISSING_SYSCALL_NAMES -> _read_r() calls read()
#   aarch64-xen-elf: syscall_dir=syscalls -> libc.a defines read() itself, and
#                    _read_r() calls _read(); the kernel provides the _names.
# See README.md for the exact per-arch lists.
build_newlib() {
	local work=$1 out=$2 arch=$3 cc
	arch_info "$arch"
	mkdir "$work/deb" "$work/x"
	dpkg-deb -x "$DEPS/dl/newlib-source_${NEWLIB_VER}_all.deb" "$work/deb"
	# One top dir, "newlib-salsa" (Debian's git tree); mv fails if there are more.
	tar -xJf "$work/deb/usr/src/newlib/newlib-3.3.0.tar.xz" -C "$work/x"
	mv "$work"/x/* "$work/src"
	rm -rf "$work/deb" "$work/x"
	cc=$(newlib_target_cc "$arch" "${TOOL}gcc" "$work")
	mkdir "$work/build"
	cd "$work/build"
	echo ">>> configure"
	newlib_configure "$work/src" "$work/inst" "$TRIPLE" "$TOOL" "$cc"
	# Not plain "make": the top level would also build texinfo docs (makeinfo).
	echo ">>> make -j$JOBS all-target-newlib"
	make -j"$JOBS" all-target-newlib
	echo ">>> make install-target-newlib"
	make install-target-newlib
	mv "$work/inst/$TRIPLE/include" "$out/include"
	mkdir "$out/lib"
	mv "$work/inst/$TRIPLE/lib/libc.a" "$work/inst/$TRIPLE/lib/libm.a" "$out/lib/"
	local version
	read -r version < <("${TOOL}gcc" --version) # (no "| head": SIGPIPE + pipefail)
	printf 'compiler=%s\nCC_FOR_TARGET=%s\nCFLAGS_FOR_TARGET=-O2 -g\ntarget=%s\n' \
		"$version" "${cc//"$work"/<tmp>}" "$TRIPLE" >"$out/BUILDINFO"
}

# lwIP: pristine upstream (--skip-patches: Debian's port patch makes sockets.c call
# macros that only Debian's own port headers define).  debian/ is dropped.
unpack_lwip() {
	local work=$1 out=$2
	dpkg-source --skip-patches -x "$DEPS/dl/lwip_$LWIP_VER.dsc" "$work/lwip"
	rm -rf "$work/lwip/debian"
	rmdir "$out"
	mv "$work/lwip" "$out"
}

# libfdt: Debian's device-tree-compiler tarballs are missing from the archive, but
# u-boot's orig tarball carries a copy; extract only that directory (~2 s of xz).
unpack_libfdt() {
	local work=$1 out=$2 orig=$DEPS/dl/u-boot_${UBOOT_VER%-*}.orig.tar.xz
	tar -xJf "$orig" -C "$work" --wildcards '*/scripts/dtc/libfdt/*'
	mv "$work"/*/scripts/dtc/libfdt/* "$out/"
}

# ---------------------------------------------------------------- driver

# requirements KIND ARCH: host tools (installed here, outside the logged subshell,
# so a missing package gives a one-line error).
requirements() {
	need xz xz-utils
	case $1 in
	newlib)
		need make make
		need gcc gcc # builds newlib's host-side configure checks
		need "${TOOL}gcc" "$CC_PKG"
		need "${TOOL}ar" "${CC_PKG/gcc/binutils}"
		;;
	lwip) need dpkg-source dpkg-dev ;;
	esac
}

# downloads KIND: make sure dl/ holds verified copies of what KIND needs.
downloads() {
	mkdir -p "$DEPS/dl"
	case $1 in
	newlib) fetch "newlib-source_$NEWLIB_VER.sha256" apt_download "newlib-source=$NEWLIB_VER" ;;
	lwip) setup_src_apt && fetch "lwip_$LWIP_VER.sha256" apt_source "lwip=$LWIP_VER" ;;
	libfdt) setup_src_apt && fetch "u-boot_$UBOOT_VER.sha256" apt_source "u-boot=$UBOOT_VER" ;;
	esac
}

# produce KIND ARCH TMP: download + recipe into TMP/out (runs in a subshell).
produce() {
	local kind=$1 arch=$2 tmp=$3
	# The caller's make/compiler environment must not leak into configure/make
	# (e.g. "make ARCH=arm64" puts ARCH into MAKEFLAGS).
	unset MAKEFLAGS MFLAGS MAKELEVEL GNUMAKEFLAGS CC CFLAGS CPPFLAGS LDFLAGS LIBS
	export LC_ALL=C
	echo ">>> download"
	downloads "$kind"
	mkdir "$tmp/work" "$tmp/out"
	echo ">>> unpack/build" # recipes may name finer steps
	case $kind in
	newlib) build_newlib "$tmp/work" "$tmp/out" "$arch" ;;
	lwip) unpack_lwip "$tmp/work" "$tmp/out" ;;
	libfdt) unpack_libfdt "$tmp/work" "$tmp/out" ;;
	esac
}

# Run produce with errexit really in force.  Bash ignores set -e in anything run
# from an if/while condition or an &&/|| list - even inside a subshell that sets
# it again - so this must be called as a plain command; the status goes to RC.
# The ERR trap names the failing command (some fail silently, e.g. SIGPIPE).
run_logged() {
	set +e
	(
		set -eE
		trap 'echo "!!! exit status $? from: $BASH_COMMAND"' ERR
		produce "$@"
	) >>"$LOG" 2>&1
	RC=$?
	set -e
}

# ensure KIND [ARCH]: build (if needed) and print the result dir.
ensure() {
	local kind=$1 arch=${2:-} dir tmp start
	result_dir "$kind" "$arch"
	dir=$RESULT
	if [[ -f $dir/.complete ]]; then echo "$dir"; return 0; fi

	mkdir -p "$DEPS/log"
	LOG=$DEPS/log/$kind${arch:+-$arch}.log
	# One builder at a time per cache (parallel make, two terminals...).
	exec 9>"$DEPS/.lock"
	flock -n 9 || { note "waiting for another deps.sh ($DEPS/.lock)"; flock 9; }
	if [[ -f $dir/.complete ]]; then echo "$dir"; return 0; fi
	if [[ -e $dir ]]; then note "discarding incomplete $dir"; rm -rf "$dir"; fi
	rm -rf "$DEPS"/.tmp-* "$DEPS"/dl/.fetch.* # leftovers of killed runs (we hold the lock)

	[[ -z $arch ]] || arch_info "$arch"
	: >"$LOG"
	requirements "$kind"
	note "building $(basename "$dir") (log: $LOG)"
	tmp=$(mktemp -d "$DEPS/.tmp-$kind.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	start=$(date +%s)
	run_logged "$kind" "$arch" "$tmp"
	if ((RC != 0)); then
		tail -n 25 "$LOG" | sed 's/^/  | /' >&3
		die "$kind${arch:+ $arch} failed at step '$(grep '^>>> ' "$LOG" | tail -1 | cut -c5-)'; full log: $LOG"
	fi
	printf 'name=%s\nbuilt=%s\nseconds=%s\n' "$(basename "$dir")" \
		"$(date -u +%FT%TZ)" "$(($(date +%s) - start))" >"$tmp/out/.complete"
	mv -T "$tmp/out" "$dir" # atomic: the dir appears with its stamp or not at all
	rm -rf "$tmp"
	trap - EXIT
	note "done in $(($(date +%s) - start)) s"
	echo "$dir"
}

# gc: delete result dirs that no current recipe produces (old flags/versions).
gc() {
	local keep=() d k a
	[[ -d $DEPS ]] || return 0
	exec 9>"$DEPS/.lock"
	flock 9
	for a in x86_64 arm64; do result_dir newlib "$a"; keep+=("$RESULT"); done
	for k in lwip libfdt; do result_dir "$k"; keep+=("$RESULT"); done
	for d in "$DEPS"/newlib-* "$DEPS"/lwip-* "$DEPS"/libfdt-* "$DEPS"/.tmp-*; do
		[[ -d $d && " ${keep[*]} " != *" $d "* ]] || continue
		note "removing $d"
		rm -rf "$d"
	done
}

main() {
	local print_only=0
	if [[ ${1:-} == --print-dir ]]; then print_only=1; shift; fi
	local kind=${1:-} arch=${2:-}
	case $kind in
	newlib) [[ -n $arch ]] || die "usage: $0 [--print-dir] newlib x86_64|arm64" ;;
	lwip | libfdt) [[ -z $arch ]] || die "$kind takes no ARCH (pristine sources)" ;;
	gc) gc; return ;;
	all) # --print-dir all ARCH: newlib, lwip, libfdt dirs, one per line (deps.mk)
		((print_only)) || die "'all' only exists as --print-dir all ARCH"
		result_dir newlib "$arch"; echo "$RESULT"
		result_dir lwip; echo "$RESULT"
		result_dir libfdt; echo "$RESULT"
		return ;;
	*) die "usage: $0 [--print-dir] newlib ARCH | lwip | libfdt | gc" ;;
	esac
	if ((print_only)); then
		result_dir "$kind" "$arch"
		echo "$RESULT"
	else
		ensure "$kind" "$arch"
	fi
}

main "$@"; exit # (one line: bash never reads past it, even if the file is edited)
