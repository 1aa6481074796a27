import * as pulumi from "@pulumi/pulumi";
import { usageReportSubscriptionProvider } from "../runtime/appstream/usage-report-subscription-provider";

// One provider object for every instance, so Pulumi serializes its code once.
const provider = usageReportSubscriptionProvider();

export interface UsageReportSubscriptionArgs {
    /** Region whose usage reports are subscribed; one subscription per account and Region. */
    region: pulumi.Input<string>;
}

/**
 * The account's AppStream usage-report subscription in one Region (a dynamic resource on the
 * AWS SDK: no provider models it). Deleting it unsubscribes; the reports already written stay.
 */
export class UsageReportSubscription extends pulumi.dynamic.Resource {
    declare public readonly region: pulumi.Output<string>;
    /** Bucket AppStream writes the reports to (`appstream-logs-<region>-<account>-<suffix>`). */
    declare public readonly s3BucketName: pulumi.Output<string>;
    /** Report schedule; AppStream offers DAILY only. */
    declare public readonly schedule: pulumi.Output<string>;
    /** Report-generation errors AppStream recorded, as of the last create or refresh. */
    declare public readonly subscriptionErrors: pulumi.Output<string[]>;

    constructor(name: string, args: UsageReportSubscriptionArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { region: args.region, s3BucketName: undefined, schedule: undefined, subscriptionErrors: undefined },
            opts,
            "appstream",
            "UsageReportSubscription",
        );
    }
}
