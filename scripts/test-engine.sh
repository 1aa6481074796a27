#!/usr/bin/env bash
# npm run test:engine: the program, the policy pack and the deploy script on the real Pulumi
# engine (issue 21). Builds the CLI and the Node.js language host into a cache folder first
# (scripts/build-engine.sh; reused when present); a missing Go or a failed build fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(bash scripts/build-engine.sh | tail -1)"
export APPSTREAM_OPS_ENGINE_BIN="$bin"
exec mocha --no-config --require ts-node/register/transpile-only --extension ts --timeout 900000 --reporter spec 'test/engine/**/*.engine.ts'
