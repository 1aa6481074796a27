/**
 * The alarm that tells when a usage digest was not sent: the digest function's own errors. The
 * function emails every failure it can describe (queries that failed, no data), so an error here
 * means the email itself failed (SES refused it, or the function timed out): only CloudWatch,
 * which does not depend on the function, can tell then.
 */
import { MetricReference, publishedMetric } from "../metric-reference";

/** The function's Errors (AWS/Lambda, by FunctionName; the component gives the name). */
export const DIGEST_ERRORS_METRIC: MetricReference = publishedMetric({
    namespace: "AWS/Lambda",
    name: "Errors",
    statistic: "Sum",
    dimensions: { FunctionName: "the usage digest function" },
});

export const DIGEST_ALARM_DESCRIPTION =
    "appstream-ops: the usage digest function failed, so this period's digest email was probably not sent. Read the function's log group (stack output usageDigestLogGroupName); the usual cause is SES refusing the sender (not verified) or a recipient (SES sandbox).";
