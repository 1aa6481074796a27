/**
 * AppStream's usage-report subscription of one Region, in memory: created, described and deleted
 * for real, each call checked against AppStream's service model. Scripted faults fail the next
 * calls before the fake looks at its state.
 */
import { ResourceNotFoundException, UsageReportSubscription } from "@aws-sdk/client-appstream";
import { AppStreamHandlers } from "./appstream-handlers";
import { modelChecked } from "./service-model";

/** The bucket AppStream creates for its reports (and session-script logs): appstream-logs-<region>-<account>-<suffix>. */
export const USAGE_REPORT_BUCKET = "appstream-logs-eu-west-1-123456789012-a1b2c3d4";

export class FakeUsageReportSubscriptions {
    subscribed = false;
    creates = 0;
    /** Errors the next calls throw, in order, whatever the call. */
    readonly faults: Error[] = [];
    /** What DescribeUsageReportSubscriptions reports of the last report generation. */
    subscriptionErrors: UsageReportSubscription["SubscriptionErrors"] = [];

    readonly handlers: AppStreamHandlers = {
        DescribeUsageReportSubscriptions: modelChecked("appstream", "DescribeUsageReportSubscriptions", () => {
            this.fault();
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
            this.fault();
            this.creates++;
            this.subscribed = true;
            return { S3BucketName: USAGE_REPORT_BUCKET, Schedule: "DAILY" };
        }),
        DeleteUsageReportSubscription: modelChecked("appstream", "DeleteUsageReportSubscription", () => {
            this.fault();
            if (!this.subscribed) {
                throw new ResourceNotFoundException({ message: "No subscription", $metadata: {} });
            }
            this.subscribed = false;
            return {};
        }),
    };

    private fault(): void {
        const error = this.faults.shift();
        if (error) throw error;
    }
}
