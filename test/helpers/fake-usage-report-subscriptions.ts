/**
 * AppStream's usage-report subscription of one Region, in memory: created, described and deleted
 * for real, each call checked against AppStream's service model. Scripted faults fail the next
 * calls (any call, or one operation's) before the fake looks at its state; the other calls go on
 * working, so a test sees what a caller does after the failure.
 */
import { ResourceNotFoundException, UsageReportSubscription } from "@aws-sdk/client-appstream";
import { AppStreamHandlers } from "./appstream-handlers";
import { modelChecked } from "./service-model";

/** The bucket AppStream creates for its reports (and session-script logs): appstream-logs-<region>-<account>-<suffix>. */
export const USAGE_REPORT_BUCKET = "appstream-logs-eu-west-1-123456789012-a1b2c3d4";

export type SubscriptionOperation =
    "DescribeUsageReportSubscriptions" | "CreateUsageReportSubscription" | "DeleteUsageReportSubscription";

export class FakeUsageReportSubscriptions {
    subscribed = false;
    creates = 0;
    /** Errors the next calls throw, in order, whatever the call. */
    readonly faults: Error[] = [];
    /** Errors the next calls of one operation throw, in order. */
    readonly faultsOf: Record<SubscriptionOperation, Error[]> = {
        DescribeUsageReportSubscriptions: [],
        CreateUsageReportSubscription: [],
        DeleteUsageReportSubscription: [],
    };
    /** Calls each operation received, faults included. */
    readonly calls: Record<SubscriptionOperation, number> = {
        DescribeUsageReportSubscriptions: 0,
        CreateUsageReportSubscription: 0,
        DeleteUsageReportSubscription: 0,
    };
    /** What DescribeUsageReportSubscriptions reports of the last report generation. */
    subscriptionErrors: UsageReportSubscription["SubscriptionErrors"] = [];

    readonly handlers: AppStreamHandlers = {
        DescribeUsageReportSubscriptions: modelChecked("appstream", "DescribeUsageReportSubscriptions", () => {
            this.fault("DescribeUsageReportSubscriptions");
            return {
                UsageReportSubscriptions: this.subscribed
                    ? [
                          {
                              S3BucketName: USAGE_REPORT_BUCKET,
                              Schedule: "DAILY",
                              LastGeneratedReportDate: new Date("2026-11-22T03:00:00Z"),
                              SubscriptionErrors: this.subscriptionErrors,
                          },
                      ]
                    : [],
            };
        }),
        CreateUsageReportSubscription: modelChecked("appstream", "CreateUsageReportSubscription", () => {
            this.fault("CreateUsageReportSubscription");
            this.creates++;
            this.subscribed = true;
            return { S3BucketName: USAGE_REPORT_BUCKET, Schedule: "DAILY" };
        }),
        DeleteUsageReportSubscription: modelChecked("appstream", "DeleteUsageReportSubscription", () => {
            this.fault("DeleteUsageReportSubscription");
            if (!this.subscribed) {
                throw new ResourceNotFoundException({ message: "No subscription", $metadata: {} });
            }
            this.subscribed = false;
            return {};
        }),
    };

    private fault(operation: SubscriptionOperation): void {
        this.calls[operation]++;
        const error = this.faults.shift() ?? this.faultsOf[operation].shift();
        if (error) throw error;
    }
}
