import { ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknown, plainValues } from "../lib/plain-values";
import { findSessionScriptsConfigs, waitingTimeProblems } from "../lib/session-scripts-config";
import { describeResource, reportDeferred } from "../lib/stack-resources";

// AppStream allows each event's scripts at most 60 s; a session waits on SessionStart scripts before
// the user sees the application, so a longer wait is rejected or stalls every session start.
export const MAX_WAITING_TIME_SECONDS = 60;

/**
 * Checks whether every session-scripts config the stack deploys gives SessionStart and
 * SessionTermination a waitingTime that is an integer from 0 to 60 seconds.
 */
export const sessionScriptsWaitTime: ResourceValidationPolicy = {
    name: "appstream-session-scripts-wait-time",
    description:
        "Checks whether every session-scripts config.json the stack deploys has, for SessionStart and SessionTermination, a waitingTime that is an integer from 0 to 60.",
    enforcementLevel: "mandatory",
    validateResource: async (args, reportViolation) => {
        const resource = describeResource(args);
        const search = await findSessionScriptsConfigs(plainValues(args.props) as Record<string, unknown>);
        for (const unknown of search.unknowns) {
            reportDeferred(reportViolation, `whether ${resource} carries a session-scripts config`, unknown);
        }
        for (const where of search.unreadable) {
            reportViolation(
                `${resource}: ${where} could not be read, so its session-scripts config cannot be checked.`,
            );
        }
        for (const { where, config } of search.configs) {
            for (const problem of waitingTimeProblems(config, MAX_WAITING_TIME_SECONDS)) {
                if (isUnknown(problem))
                    reportDeferred(reportViolation, `the waitingTime in ${resource} ${where}`, problem);
                else reportViolation(`${resource} ${where}: ${problem}.`);
            }
        }
    },
};
