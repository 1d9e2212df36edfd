# shellcheck shell=bash
# lib.sh is what scripts/dev.sh, scripts/test.sh and scripts/services.sh share: messages,
# Debian packages, and the Go toolchain. It is sourced, never run. They work on a machine
# that has only bash, the repository and the usual package sources: no make, no sudo, no
# Go, perhaps no root.

# repo is the repository's root; .cache under it is git-ignored.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { echo "${script_name:-caseline}: $*" >&2; }
die() {
	say "$*"
	exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# port_open HOST PORT: something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# can_be_root: root, or sudo that needs no password (a script must not stop at a prompt
# nobody sees, as under CI).
can_be_root() { is_root || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

as_root() {
	if is_root; then "$@"; else sudo -n "$@"; fi
}

# install_packages installs the Debian packages named, in one apt-get run, as root or
# through sudo; without either it says the one command that would do it, and stops.
install_packages() {
	[ $# -gt 0 ] || return 0
	command -v apt-get >/dev/null 2>&1 ||
		die "missing $*: install them (this script installs packages only on Debian and Ubuntu), then run it again"
	can_be_root || die "missing $*: as root, run  apt-get install $*  then run this again"
	say "installing $*"
	# Once per run: scripts/services.sh, started by dev.sh or test.sh, inherits the mark.
	if [ -z "${apt_updated:-}" ]; then
		as_root apt-get update -qq || die "apt-get update failed"
		export apt_updated=1
	fi
	# A cluster created under the C locale would be SQL_ASCII: give PostgreSQL's first
	# cluster UTF-8 when the machine has no locale of its own.
	local lang=${LC_ALL:-${LANG:-}}
	case $lang in "" | C | POSIX) lang=C.UTF-8 ;; esac
	as_root env DEBIAN_FRONTEND=noninteractive LANG="$lang" LC_ALL="$lang" \
		apt-get install -y -q --no-install-recommends "$@" || die "apt-get install $* failed"
}

# need_packages installs, in one run, each package whose command is missing. Arguments are
# command:package pairs.
need_packages() {
	local pair missing=()
	for pair in "$@"; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
	done
	install_packages ${missing[@]+"${missing[@]}"}
}

# --- Go ---------------------------------------------------------------------------------------

# go_home is where ensure_go installs Go: in the repository, so no root is needed.
go_home=$repo/.cache/go

# go_version prints the version of the go on the PATH (1.26.8), or nothing. It asks
# outside the module, where an old go would only complain about go.mod.
go_version() {
	command -v go >/dev/null 2>&1 || return 0
	(cd / && GOTOOLCHAIN=local go env GOVERSION 2>/dev/null) | sed -n 's/^go\([0-9][0-9.]*\).*/\1/p'
}

# version_at_least A B: dotted version A >= B.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# ensure_go puts a go on the PATH that go.mod accepts: the one there already, the one an
# earlier run installed under .cache/go, or the newest release of go.mod's minor version,
# downloaded and checked. It exports PATH and GOTOOLCHAIN=local (no other download behind
# our back).
ensure_go() {
	local want have
	want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$repo/go.mod")
	[ -n "$want" ] || die "go.mod has no go line"
	[ -x "$go_home/bin/go" ] && PATH=$go_home/bin:$PATH
	have=$(go_version)
	if [ -z "$have" ] || ! version_at_least "$have" "$want"; then
		say "Go $want or newer is needed (found: ${have:-none}); installing it under .cache/go"
		install_go "$want"
		PATH=$go_home/bin:$PATH
		have=$(go_version)
		version_at_least "${have:-0}" "$want" || die "the Go just installed reports ${have:-nothing}"
	fi
	export PATH GOTOOLCHAIN=local
	# Without a home (some minimal containers), Go keeps its caches here too.
	if [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; then
		export GOPATH=${GOPATH:-$repo/.cache/gopath} GOCACHE=${GOCACHE:-$repo/.cache/go-build}
	fi
	# Stamping version control information needs git; a checkout without git builds without.
	if [ -e "$repo/.git" ] && ! command -v git >/dev/null 2>&1; then
		export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
	fi
	say "using $(go version)"
}

# fetch URL [FILE]: download with curl or wget, to FILE or stdout; fails on an HTTP error.
fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 --connect-timeout 20 ${2:+-o "$2"} "$1"
	else
		wget -q --tries=3 --timeout=60 -O "${2:--}" "$1"
	fi
}

# install_go WANT installs the newest Go release of WANT's minor version (1.26 for 1.26.0)
# into .cache/go. It takes the official archive from go.dev/dl, its SHA-256 from go.dev's
# release list; where go.dev cannot be reached it takes the same release as the module
# golang.org/toolchain from the Go module proxy (as `go` itself does for GOTOOLCHAIN), its
# hash checked against the Go checksum database. Nothing unchecked is unpacked.
install_go() {
	local want=$1 minor arch tmp
	minor=$(echo "$want" | cut -d. -f1,2)
	case $(uname -m) in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) die "no Go download for $(uname -m): install Go $want yourself" ;;
	esac
	# What the download needs; a minimal image has neither.
	local tools=()
	command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || tools+=(curl)
	[ -e /etc/ssl/certs/ca-certificates.crt ] || tools+=(ca-certificates)
	install_packages ${tools[@]+"${tools[@]}"}
	# Next to its destination, so that the last step is a rename.
	tmp=$repo/.cache/go-download
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if ! go_from_go_dev "$minor" "$arch" "$tmp" && ! go_from_proxy "$minor" "$arch" "$tmp"; then
		die "could not download Go $minor (from go.dev/dl or the Go module proxy): install Go $want or newer yourself and put it on the PATH"
	fi
	rm -rf "$go_home"
	mv "$tmp/go" "$go_home"
	rm -rf "$tmp"
}

# go_from_go_dev MINOR ARCH DIR unpacks the newest MINOR.x release from go.dev into DIR/go.
go_from_go_dev() {
	local minor=$1 arch=$2 dir=$3 list version file sum
	list=$(fetch 'https://go.dev/dl/?mode=json&include=all' 2>/dev/null | tr -d ' \n\t') || {
		say "go.dev cannot be reached; trying the Go module proxy"
		return 1
	}
	version=$(echo "$list" | grep -o "\"version\":\"go${minor//./\\.}\\.[0-9]*\"" | cut -d'"' -f4 | sort -uV | tail -n1 || true)
	[ -n "$version" ] || {
		say "go.dev lists no release of Go $minor"
		return 1
	}
	file=$version.linux-$arch.tar.gz
	sum=$(echo "$list" | tr '}' '\n' | grep -F "\"filename\":\"$file\"" | grep -o '"sha256":"[0-9a-f]\{64\}"' | cut -d'"' -f4 | head -n1 || true)
	[ -n "$sum" ] || {
		say "go.dev lists no checksum for $file"
		return 1
	}
	say "downloading $file from go.dev"
	fetch "https://go.dev/dl/$file" "$dir/$file" || return 1
	echo "$sum  $dir/$file" | sha256sum -c --quiet - || die "$file does not match its SHA-256 on go.dev: not installed"
	tar -C "$dir" -xzf "$dir/$file"
	say "Go ${version#go} from go.dev (SHA-256 checked)"
}

# go_from_proxy MINOR ARCH DIR unpacks the newest MINOR.x release, as the module
# golang.org/toolchain, from the Go module proxy into DIR/go, after checking its hash (h1:,
# the go.sum hash: SHA-256 over the sorted list of its files' SHA-256) against the Go
# checksum database, asked through the same proxy as `go` asks it.
go_from_proxy() {
	local minor=$1 arch=$2 dir=$3 proxy list version mod want hex got
	proxy=${GOPROXY:-https://proxy.golang.org}
	proxy=${proxy%%[,|]*}
	case $proxy in http://* | https://*) ;; *) proxy=https://proxy.golang.org ;; esac
	list=$(fetch "$proxy/golang.org/toolchain/@v/list") || {
		say "the Go module proxy $proxy cannot be reached"
		return 1
	}
	version=$(echo "$list" | grep -x "v0\\.0\\.1-go${minor//./\\.}\\.[0-9]*\\.linux-$arch" | sort -V | tail -n1 || true)
	[ -n "$version" ] || {
		say "the Go module proxy lists no release of Go $minor for linux-$arch"
		return 1
	}
	mod=golang.org/toolchain@$version
	want=$(fetch "$proxy/sumdb/sum.golang.org/lookup/$mod" | grep -F "golang.org/toolchain $version h1:" | cut -d' ' -f3 || true)
	[ -n "$want" ] || {
		say "the Go checksum database has no hash for $mod"
		return 1
	}
	need_packages unzip:unzip
	say "downloading $mod from $proxy"
	fetch "$proxy/golang.org/toolchain/@v/$version.zip" "$dir/go.zip" || return 1
	mkdir "$dir/zip"
	unzip -q "$dir/go.zip" -d "$dir/zip"
	hex=$(cd "$dir/zip" && unzip -Z1 "$dir/go.zip" | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
	# shellcheck disable=SC2001 # the hex digest, two digits at a time, as bytes
	got=h1:$(printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')" | base64)
	[ "$got" = "$want" ] || die "$mod hashes to $got, the Go checksum database says $want: not installed"
	mv "$dir/zip/$mod" "$dir/go"
	# Zip files keep no permissions (go does the same when it unpacks a toolchain).
	chmod +x "$dir/go/bin/"* "$dir/go/pkg/tool/"*/*
	version=${version#v0.0.1-go}
	say "Go ${version%.linux-*} from the Go module proxy (checked against the Go checksum database)"
}
