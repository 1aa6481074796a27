import * as pulumi from "@pulumi/pulumi";
import { elasticFleetSessionScriptsProvider } from "../runtime/appstream/elastic-fleet-session-scripts-provider";

// One provider object for every fleet, so Pulumi serializes its code once.
const provider = elasticFleetSessionScriptsProvider();

export interface ElasticFleetSessionScriptsArgs {
    /** Region of the fleet. */
    region: pulumi.Input<string>;
    /** Name of an existing Elastic fleet (case-sensitive). */
    fleetName: pulumi.Input<string>;
    /** Bucket and key of the session-scripts bundle (a zip with config.json at its root). */
    s3Bucket: pulumi.Input<string>;
    s3Key: pulumi.Input<string>;
}

/**
 * Points an existing Elastic fleet's SessionScriptS3Location at a session-scripts bundle (a
 * dynamic resource on the AWS SDK: the provider fleets lack the attribute). AppStream allows it
 * while the fleet runs; the fleet is never stopped or started. Deleting it removes the location,
 * unless it was pointed elsewhere since.
 */
export class ElasticFleetSessionScripts extends pulumi.dynamic.Resource {
    declare public readonly region: pulumi.Output<string>;
    declare public readonly fleetName: pulumi.Output<string>;
    declare public readonly s3Bucket: pulumi.Output<string>;
    declare public readonly s3Key: pulumi.Output<string>;

    constructor(name: string, args: ElasticFleetSessionScriptsArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args }, opts, "appstream", "ElasticFleetSessionScripts");
    }
}
