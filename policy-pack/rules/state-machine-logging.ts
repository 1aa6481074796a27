import { ResourceValidationPolicy } from "@pulumi/policy";
import { findUnknown, isPlainObject, plainValues } from "../lib/plain-values";
import { describeResource, isOfType, reportDeferred } from "../lib/stack-resources";

const LOGGING_LEVELS = ["ALL", "ERROR", "FATAL"];

/** Checks whether every state machine sends its execution history to CloudWatch Logs. */
export const stateMachineLogging: ResourceValidationPolicy = {
    name: "appstream-state-machine-logging",
    description:
        "Checks whether every Step Functions state machine has logging enabled (level ALL, ERROR or FATAL, with a log destination).",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        const native = isOfType(args, "nativeStateMachine");
        if (!native && !isOfType(args, "stateMachine")) return;
        const logging = (plainValues(args.props) as Record<string, unknown>).loggingConfiguration;
        const config = isPlainObject(logging) ? logging : {};
        const destination = native ? config.destinations : config.logDestination;
        // The level is usually known at preview even when the log group's ARN is not.
        const unknown = findUnknown(logging) && (findUnknown(config.level) ?? findUnknown(destination));
        const level = typeof config.level === "string" ? config.level.toUpperCase() : "OFF";
        if (unknown && LOGGING_LEVELS.includes(level)) {
            return reportDeferred(reportViolation, `the log destination of ${describeResource(args)}`, unknown);
        }
        const hasDestination = native
            ? Array.isArray(destination) && destination.length > 0
            : typeof destination === "string" && destination !== "";
        if (!LOGGING_LEVELS.includes(level) || !hasDestination) {
            reportViolation(
                `${describeResource(args)} logs nothing: loggingConfiguration needs level ${LOGGING_LEVELS.join(", ")} and a log destination (level is ${level}${hasDestination ? "" : ", no destination"}).`,
            );
        }
    },
};
