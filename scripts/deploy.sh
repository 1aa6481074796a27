#!/usr/bin/env bash
# Deploys one stack: npm run deploy -- --stack <name> [any `pulumi up` flag, e.g. --yes or --diff]
#
# - installs the project's packages when they are missing or older than package-lock.json;
# - logs into the state backend: $PULUMI_BACKEND_URL, or by default a local file backend in
#   ./.pulumi-state, so no Pulumi Cloud account is needed;
# - selects the stack, creating it when missing (its Pulumi.<stack>.yaml is used as is);
# - runs `pulumi up` with the policy pack in ./policy-pack when the project has one.
# Runs under `npm run`, so the Node 22 from the `node` devDependency comes first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

stack=""
up_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --stack | -s) stack="${2:-}"; shift 2 ;;
        --stack=*) stack="${1#--stack=}"; shift ;;
        *) up_args+=("$1"); shift ;;
    esac
done
if [ -z "$stack" ]; then
    echo "usage: npm run deploy -- --stack <name> [pulumi up flags]" >&2
    exit 2
fi
if ! command -v pulumi >/dev/null 2>&1; then
    echo "The Pulumi CLI is not on PATH. Install it (https://www.pulumi.com/docs/iac/download-install/) and run again." >&2
    exit 2
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci
fi

backend="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
case "$backend" in
    file://*) mkdir -p "${backend#file://}" ;;
esac
pulumi login "$backend"

pulumi stack select "$stack" --create

policy_args=()
if [ -f policy-pack/PulumiPolicy.yaml ]; then
    policy_args=(--policy-pack policy-pack)
fi
# The ${a[@]+...} form keeps empty arrays safe under `set -u` on older bash.
pulumi up --stack "$stack" ${policy_args[@]+"${policy_args[@]}"} ${up_args[@]+"${up_args[@]}"}
