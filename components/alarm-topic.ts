import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmTopicPolicy } from "../runtime/iam/policy-documents";

export interface AlarmTopicArgs {
    /** An existing topic to notify; undefined creates one. */
    readonly existingTopicArn?: pulumi.Input<string>;
    /** Subscribed by email to a topic created here (SNS emails each a confirmation link). */
    readonly emails: readonly string[];
    /** The created topic's display name, the sender name of its emails. */
    readonly displayName: string;
}

/**
 * The SNS topic a capability's alarms notify: the one given, or one created here that only this
 * account's CloudWatch alarms may publish to, with an email subscription per address.
 */
export function alarmTopicArn(name: string, args: AlarmTopicArgs, parent: pulumi.Resource): pulumi.Output<string> {
    return args.existingTopicArn === undefined
        ? createdTopic(name, args, parent)
        : pulumi.output(args.existingTopicArn);
}

function createdTopic(name: string, args: AlarmTopicArgs, parent: pulumi.Resource): pulumi.Output<string> {
    const opts = { parent };
    const partition = aws.getPartitionOutput({}, opts).partition;
    const region = aws.getRegionOutput({}, opts).region;
    const accountId = aws.getCallerIdentityOutput({}, opts).accountId;
    const topic = new aws.sns.Topic(`${name}-alarms`, { displayName: args.displayName }, opts);
    new aws.sns.TopicPolicy(
        `${name}-alarms-policy`,
        {
            arn: topic.arn,
            policy: pulumi
                .all([topic.arn, partition, region, accountId])
                .apply(([topicArn, p, r, a]) =>
                    JSON.stringify(alarmTopicPolicy(topicArn, { partition: p, region: r, accountId: a })),
                ),
        },
        opts,
    );
    for (const [i, email] of args.emails.entries()) {
        new aws.sns.TopicSubscription(
            `${name}-alarms-email-${i}`,
            { topic: topic.arn, protocol: "email", endpoint: email },
            opts,
        );
    }
    return topic.arn;
}
