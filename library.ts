/**
 * The package's public API: what `import { UsagePipeline, ImageUpdateScheduler } from "appstream-ops"`
 * gives another Pulumi program. This repository's own program (index.ts) uses the same exports.
 */
export { UsagePipeline, UsagePipelineArgs, SESSION_ASSETS_DIR } from "./components/usage-pipeline";
export {
    ImageUpdateScheduler,
    ImageUpdateSchedulerArgs,
    NO_RECIPIENTS_WARNING,
} from "./components/image-update-scheduler";
export { FleetInsights, FleetInsightsArgs } from "./components/fleet-insights";
export { UsageDigest, UsageDigestArgs, UsageDigestPipeline } from "./components/usage-digest";
export {
    AppStreamOpsConfig,
    COMPONENT_ONLY_ARGS,
    CONFIG_KEYS,
    CONFIG_NAMESPACE,
    ConfigKey,
    ConfigValidationError,
    loadConfig,
    parseConfig,
    usageDigestRecipients,
} from "./config";
export { stackDatabaseName } from "./runtime/usage/glue-table";
