#!/usr/bin/env bash
# Deploys one stack: npm run deploy -- --stack <name> [--create] [any `pulumi up` flag, e.g. --yes or --diff]
#
# - refuses a stack that has no Pulumi.<stack>.yaml (a mistyped name would otherwise be created and
#   deployed with every default), unless --create asks for a new stack;
# - installs the project's packages when they are missing or older than package-lock.json;
# - uses the state backend $PULUMI_BACKEND_URL, or by default a local file backend in
#   ./.pulumi-state, for its own commands only: no `pulumi login`, which would change the current
#   backend of every project on the machine;
# - selects the stack (creating it in the backend on its first deploy);
# - runs `pulumi up` with the policy pack in ./policy-pack when the project has one, and refuses
#   --skip-preview, without which the pack stops a violation before anything is created.
# Runs under `npm run`, so the Node 22 from the `node` devDependency comes first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: npm run deploy -- --stack <name> [--create] [pulumi up flags]" >&2
    echo "deploy: $1" >&2
    exit 2
}

stack=""
create=false
up_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --stack | -s)
            if [ $# -lt 2 ] || [ -z "$2" ] || [[ "$2" == -* ]]; then usage "$1 needs a stack name"; fi
            stack="$2"
            shift 2
            ;;
        --stack=*)
            stack="${1#--stack=}"
            if [ -z "$stack" ]; then usage "--stack= needs a stack name"; fi
            shift
            ;;
        --create) create=true; shift ;;
        --skip-preview | --skip-preview=*)
            # The policy pack's stack checks run in the preview; without one, `pulumi up` creates every
            # resource registered before a violating one (README "Policy pack").
            usage "--skip-preview is refused: the preview is where the policy pack stops a violation before anything is created"
            ;;
        *) up_args+=("$1"); shift ;;
    esac
done
if [ -z "$stack" ]; then usage "--stack is required"; fi
if [ ! -f "Pulumi.$stack.yaml" ] && [ "$create" != true ]; then
    known="$(ls Pulumi.*.yaml 2>/dev/null | sed -e 's/^Pulumi\.//' -e 's/\.yaml$//' | paste -sd, - || true)"
    usage "there is no Pulumi.$stack.yaml, so stack \"$stack\" would be deployed with every default. Check the name (stack files here: ${known:-none}), or pass --create to create it"
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
# For this script's pulumi commands only.
export PULUMI_BACKEND_URL="$backend"

pulumi stack select "$stack" --create

# APPSTREAM_OPS_POLICY_PACK names another pack, a folder or an analyzer executable (the engine
# suite's, test/engine/policy-pack-analyzer, runs this same pack).
policy_args=()
if [ -n "${APPSTREAM_OPS_POLICY_PACK:-}" ]; then
    policy_args=(--policy-pack "$APPSTREAM_OPS_POLICY_PACK")
elif [ -f policy-pack/PulumiPolicy.yaml ]; then
    policy_args=(--policy-pack policy-pack)
fi
# The ${a[@]+...} form keeps empty arrays safe under `set -u` on older bash.
pulumi up --stack "$stack" ${policy_args[@]+"${policy_args[@]}"} ${up_args[@]+"${up_args[@]}"}
