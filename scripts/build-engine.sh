#!/usr/bin/env bash
# Builds the real Pulumi CLI and the real Node.js language host from the Go module proxy into a
# cache folder, and reuses them when they are already there (npm run test:engine; issue 21).
#
# - The CLI: github.com/pulumi/pulumi/pkg/v3/cmd/pulumi at PULUMI_VERSION, in a wrapper module that
#   copies pkg's own replace line for github.com/atotto/clipboard (a dependency's replace lines do
#   not apply to the module that requires it).
# - The language host: the current one (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by
#   the proxy; the real host is in github.com/pulumi/pulumi/sdk/v3 up to v3.68.0. The newer engine
#   falls back to the calls that host knows, so it runs programs.
# - The dynamic-provider host: @pulumi/pulumi's `pulumi-resource-pulumi-nodejs` script, copied next
#   to the CLI as the real distribution has it (it runs the project's own @pulumi/pulumi).
# Prints the folder holding `pulumi`, `pulumi-language-nodejs` and the script on its last line.
set -euo pipefail
PULUMI_VERSION=v3.274.1
HOST_VERSION=v3.68.0
cache="${APPSTREAM_OPS_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstream-ops/engine}"
bin="$cache/bin-$PULUMI_VERSION-host-$HOST_VERSION"

fail() {
    echo "build-engine: $1" >&2
    exit 1
}
command -v go >/dev/null 2>&1 || fail "Go is not on PATH; the engine suite builds the Pulumi CLI with Go 1.26.6 or newer"
go_version="$(go env GOVERSION)"
case "$(printf '%s\n' "go1.26.6" "$go_version" | sort -V | head -1)" in
    go1.26.6) ;;
    *) fail "Go $go_version is too old; the Pulumi CLI $PULUMI_VERSION needs go1.26.6 or newer" ;;
esac

mkdir -p "$bin"
install -m 755 node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs "$bin/" ||
    fail "node_modules/@pulumi/pulumi has no pulumi-resource-pulumi-nodejs: run npm ci first"
if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ]; then
    echo "$bin"
    exit 0
fi
mkdir -p "$bin"
build_module() { # <folder> <module requires...>
    local dir="$1"
    shift
    mkdir -p "$dir"
    (cd "$dir" && rm -f go.mod go.sum && go mod init appstream-ops/engine-build >/dev/null 2>&1 && "$@")
}

cli="$cache/cli-$PULUMI_VERSION"
echo "build-engine: building the Pulumi CLI $PULUMI_VERSION in $cli (several minutes the first time)" >&2
build_module "$cli" bash -c "
    go mod edit -require=github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION -require=github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION \
        -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    printf 'package tools\n\nimport _ \"github.com/pulumi/pulumi/pkg/v3/cmd/pulumi\"\n' > tools.go
    go mod tidy >&2
    go build -o '$bin/pulumi' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
" || fail "building the Pulumi CLI failed (see above)"

host="$cache/host-$HOST_VERSION"
echo "build-engine: building the Node.js language host from sdk/v3 $HOST_VERSION in $host" >&2
build_module "$host" bash -c "
    go mod edit -require=github.com/pulumi/pulumi/sdk/v3@$HOST_VERSION
    printf 'package tools\n\nimport _ \"github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs\"\n' > tools.go
    go mod tidy >&2
    go build -o '$bin/pulumi-language-nodejs' github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
" || fail "building the Node.js language host failed (see above)"
"$bin/pulumi" version >&2 || fail "the built CLI does not run"
echo "$bin"
