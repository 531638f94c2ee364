#!/bin/sh
# The set-up promise on a bare machine: in a fresh Debian 12 root that has
# a C toolchain but none of libgsl-dev, libcjson-dev, libcmocka-dev,
# gnuplot, pkg-config or git, `make run` and then `make test` each succeed
# on their first run (scripts/deps.sh installs what they need).
#
#   sudo sh tests/bare-machine.sh        (or: make bare-check)
#
# Needs root, debootstrap (installed with apt-get when missing) and the
# Debian mirror of this machine's apt sources; not run by `make test` or CI.
# The repository goes in as `git archive HEAD` (commit first: uncommitted
# changes are not tested), ../shared as a read-only copy beside it.
#
# Environment: BARE_ROOT (the chroot, default /var/tmp/capsim-bare, made
# anew each run and removed after a pass), BARE_KEEP=1 (keep it),
# BARE_LOGS (default build/bare-machine), BARE_MIRROR (default: read from
# /etc/apt/sources.list*), BARE_REF (default HEAD), SHARED (default ../shared).
# The last line is "bare-machine: N passed, N failed".
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${BARE_ROOT:-/var/tmp/capsim-bare}
LOGS=${BARE_LOGS:-$REPO/build/bare-machine}
REF=${BARE_REF:-HEAD}
SHARED=${SHARED:-$REPO/../shared}
SUITE=bookworm
MARK=.capsim-bare-root
# what a developer's machine has, and what deps.sh must bring
BASE_PKGS="build-essential ca-certificates"
ABSENT_PKGS="libgsl-dev libcjson-dev libcmocka-dev gnuplot gnuplot-nox gnuplot-qt gnuplot-x11 pkg-config pkgconf git"
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "bare-machine: $*"; }
die() {
    echo "bare-machine: FAILED: $*" >&2
    [ -d "$LOGS" ] && echo "bare-machine: logs in $LOGS" >&2
    echo "bare-machine: 0 passed, 2 failed"
    exit 1
}
now() { date +%s; }

# Run a shell command line inside the root with a clean environment.
in_root() {
    chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=$CHROOT_PATH LANG=C.UTF-8 \
        TERM=dumb DEBIAN_FRONTEND=noninteractive /bin/sh -c "$1"
}

mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r; }

unmount_all() {
    for m in $(mounted_under "$ROOT"); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "bare-machine: could not unmount $m" >&2
    done
}

remove_root() {
    unmount_all
    [ -n "$(mounted_under "$ROOT")" ] && die "$ROOT still has mounts; not removing it"
    rm -rf --one-file-system "$ROOT"
}

# The Debian mirror of this machine: the first enabled `deb` source for
# the suite, in deb822 (.sources) or one-line (.list) form.
host_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
            function flush() {
                if (deb && has && uri != "" && on) { print uri; found = 1; exit }
                deb = 0; has = 0; uri = ""; on = 1
            }
            BEGIN { on = 1 }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]*#/ { next }
            tolower($1) == "types:"   { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            tolower($1) == "suites:"  { for (i = 2; i <= NF; i++) if ($i == suite) has = 1 }
            tolower($1) == "uris:"    { uri = $2 }
            tolower($1) == "enabled:" { if (tolower($2) == "no") on = 0 }
            END { if (!found) flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite) print $i
            }' "$f"
    done
}

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount): run it as root or with sudo"
case "$ROOT" in
    /tmp/?*|/var/tmp/?*) ;;
    *) die "BARE_ROOT must be under /tmp or /var/tmp (got '$ROOT')" ;;
esac
[ -d "$SHARED" ] || die "shared data not found at $SHARED (set SHARED=/path/to/shared)"
git -C "$REPO" rev-parse --verify -q "$REF^{commit}" >/dev/null || die "$REF is not a commit of $REPO"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    say "note: uncommitted changes are not tested ($REF is)"
fi
MIRROR=${BARE_MIRROR:-$(host_mirror | head -n 1)}
[ -n "$MIRROR" ] || die "no '$SUITE' deb source in /etc/apt/sources.list*; set BARE_MIRROR"

rm -rf "$LOGS"
mkdir -p "$LOGS" || die "cannot create $LOGS"
SETUP_LOG=$LOGS/setup.log
RUN_LOG=$LOGS/run.log
TEST_LOG=$LOGS/test.log

trap unmount_all EXIT
trap 'unmount_all; exit 130' INT TERM

if [ -e "$ROOT" ]; then
    [ -e "$ROOT/$MARK" ] || die "$ROOT exists and was not made by this script; remove it or set BARE_ROOT"
    say "removing the previous root $ROOT"
    remove_root
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    say "installing debootstrap"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } \
        >>"$SETUP_LOG" 2>&1 || die "apt-get install debootstrap failed (see $SETUP_LOG)"
fi

# ---------------------------------------------------------------- the root
t0=$(now)
say "debootstrap --variant=minbase $SUITE $ROOT (mirror of this machine's apt sources)"
mkdir -p "$ROOT" && touch "$ROOT/$MARK"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >>"$SETUP_LOG" 2>&1 \
    || die "debootstrap failed (see $SETUP_LOG)"
# The host's apt settings that decide whether its mirror is accepted
# (a mirror serving an archived snapshot needs Check-Valid-Until false).
apt-config dump 2>/dev/null | grep -E '^Acquire::Check-(Valid-Until|Date) ' \
    > "$ROOT/etc/apt/apt.conf.d/99bare-host" || true
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" || die "cannot copy /etc/resolv.conf"
mount -t proc proc "$ROOT/proc" || die "cannot mount /proc in $ROOT"
mount --bind /dev "$ROOT/dev" || die "cannot bind-mount /dev in $ROOT"
t1=$(now)
say "root made in $((t1 - t0)) s"

say "installing a developer's basics: $BASE_PKGS"
in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends $BASE_PKGS" \
    >>"$SETUP_LOG" 2>&1 || die "apt-get install $BASE_PKGS failed in the root (see $SETUP_LOG)"
# no package lists left over: the first `make` finds apt as a new image has it
in_root "apt-get clean && rm -rf /var/lib/apt/lists/*" >>"$SETUP_LOG" 2>&1
t2=$(now)
say "basics installed in $((t2 - t1)) s"

# ------------------------------------------------- the root is really bare
for p in $ABSENT_PKGS; do
    if in_root "dpkg-query -W -f='\${Status}' $p 2>/dev/null" | grep -q 'install ok installed'; then
        die "package $p is installed in the root; it must be absent before the test"
    fi
done
for c in gnuplot pkg-config git; do
    in_root "command -v $c" >/dev/null 2>&1 && die "$c is on PATH in the root; it must be absent"
done
for h in /usr/include/gsl /usr/include/cjson /usr/include/cmocka.h; do
    [ -e "$ROOT$h" ] && die "$h exists in the root; it must be absent"
done
in_root "cc --version && make --version" >>"$SETUP_LOG" 2>&1 || die "no cc or make in the root"
say "absent in the root: $ABSENT_PKGS"

# ------------------------------------------------------- repository, data
mkdir -p "$ROOT/build/capsim" || die "cannot create $ROOT/build/capsim"
git -C "$REPO" archive --format=tar "$REF" | tar -x -C "$ROOT/build/capsim" \
    || die "git archive $REF failed"
{ mkdir -p "$ROOT/build/shared" && cp -a "$SHARED/." "$ROOT/build/shared/"; } \
    || die "cannot copy $SHARED"
chmod -R a-w "$ROOT/build/shared"
say "$(git -C "$REPO" rev-parse --short "$REF") exported to /build/capsim, shared data to /build/shared (read-only)"

# ------------------------------------------------------- the two commands
pass=0
fail=0

t3=$(now)
in_root "cd /build/capsim && make run" >"$RUN_LOG" 2>&1
rc=$?
t4=$(now)
if [ "$rc" != 0 ]; then
    say "make run FAILED (exit $rc) in $((t4 - t3)) s; the last lines of $RUN_LOG:"
    tail -n 20 "$RUN_LOG"
    fail=$((fail + 1))
elif ! grep -q '^capsim run: ' "$RUN_LOG" || ! grep -q '^SLOs$' "$RUN_LOG"; then
    say "make run FAILED: exit 0 but no office report in $RUN_LOG"
    fail=$((fail + 1))
else
    say "make run passed in $((t4 - t3)) s (log $RUN_LOG)"
    pass=$((pass + 1))
fi

in_root "cd /build/capsim && make test" >"$TEST_LOG" 2>&1
rc=$?
t5=$(now)
last=$(tail -n 1 "$TEST_LOG")
if [ "$rc" != 0 ]; then
    say "make test FAILED (exit $rc) in $((t5 - t4)) s; the last lines of $TEST_LOG:"
    tail -n 20 "$TEST_LOG"
    fail=$((fail + 1))
elif ! echo "$last" | grep -Eq '^suites: [0-9]+ passed, 0 failed$'; then
    say "make test FAILED: exit 0 but the last line is '$last'"
    fail=$((fail + 1))
else
    say "make test passed in $((t5 - t4)) s: $last (log $TEST_LOG)"
    pass=$((pass + 1))
fi

# deps.sh did the installing (not something left in the root)
grep -q '^capsim: installing missing packages:' "$RUN_LOG" \
    || say "note: make run did not install packages (see $RUN_LOG)"

unmount_all
if [ "$fail" = 0 ] && [ "${BARE_KEEP:-0}" != 1 ]; then
    remove_root
else
    say "root kept at $ROOT (remove it with: rm -rf --one-file-system $ROOT)"
fi
say "total $((t5 - t0)) s: root $((t1 - t0)) s, basics $((t2 - t1)) s, make run $((t4 - t3)) s, make test $((t5 - t4)) s"
echo "bare-machine: $pass passed, $fail failed"
[ "$fail" = 0 ]
