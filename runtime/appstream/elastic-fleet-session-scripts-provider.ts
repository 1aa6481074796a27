/**
 * Dynamic provider that points an existing Elastic fleet's SessionScriptS3Location at a bundle.
 * Neither @pulumi/aws (its Fleet lacks the attribute) nor @pulumi/aws-native (no AppStream fleet)
 * can set it. It never stops, starts or otherwise changes the fleet.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { errorName } from "../aws/errors";
import { AppStreamConnection, connectAppStream, failure } from "./appstream-connection";
import {
    FLEET_NAME_RULE,
    FleetFacts,
    S3Location,
    TRANSITIONAL_FLEET_STATES,
    fleetNotFoundMessage,
    isFleetName,
    notElasticProblem,
    sameLocation,
    stillTransitionalMessage,
} from "./elastic-fleets";
import { isKnownString, regionFailures } from "./provider-inputs";
import { DEFAULT_PROVIDER_TUNING, ProviderTuning } from "./provider-tuning";

export interface ElasticFleetSessionScriptsInputs extends S3Location {
    readonly region: string;
    readonly fleetName: string;
}

/** The location AppStream holds for the fleet; empty strings when the fleet has none. */
export type ElasticFleetSessionScriptsOutputs = ElasticFleetSessionScriptsInputs;

export function elasticFleetSessionScriptsProvider(
    tuning: ProviderTuning = DEFAULT_PROVIDER_TUNING,
): dynamic.ResourceProvider<ElasticFleetSessionScriptsInputs, ElasticFleetSessionScriptsOutputs> {
    // Helper names must not shadow a global: the closure serializer resolves such a name to the global.
    /** The fleet, or undefined when AppStream has no fleet of that name. */
    const describeFleet = async (appstream: AppStreamConnection, name: string): Promise<FleetFacts | undefined> => {
        try {
            const out = await appstream.call((client, sdk) =>
                client.send(new sdk.DescribeFleetsCommand({ Names: [name] })),
            );
            const fleet = out.Fleets?.find((f) => f.Name === name);
            if (!fleet) return undefined;
            const location = fleet.SessionScriptS3Location;
            return {
                name,
                fleetType: fleet.FleetType ?? "",
                state: fleet.State ?? "",
                location: location?.S3Bucket ? { s3Bucket: location.S3Bucket, s3Key: location.S3Key ?? "" } : undefined,
            };
        } catch (err) {
            if (errorName(err) === "ResourceNotFoundException") return undefined;
            throw failure(`DescribeFleets of "${name}" in ${appstream.region}`, err);
        }
    };

    const elasticFleet = async (appstream: AppStreamConnection, name: string): Promise<FleetFacts> => {
        const fleet = await describeFleet(appstream, name);
        if (!fleet) throw new Error(fleetNotFoundMessage(name, appstream.region));
        const problem = notElasticProblem(fleet, appstream.region);
        if (problem) throw new Error(problem);
        return fleet;
    };

    /** Waits out STARTING and STOPPING, during which AppStream refuses UpdateFleet. */
    const settled = async (appstream: AppStreamConnection, fleet: FleetFacts): Promise<FleetFacts> => {
        const started = Date.now();
        while (TRANSITIONAL_FLEET_STATES.includes(fleet.state)) {
            const waited = Date.now() - started;
            if (waited >= tuning.fleetSettle.timeoutMs) {
                throw new Error(stillTransitionalMessage(fleet, appstream.region, waited));
            }
            await new Promise((resolve) => setTimeout(resolve, tuning.fleetSettle.pollMs));
            fleet = await elasticFleet(appstream, fleet.name);
        }
        return fleet;
    };

    /** Sets the location; what AppStream answers is what the state records. */
    const pointAtBundle = async (inputs: ElasticFleetSessionScriptsInputs) => {
        const appstream = await connectAppStream(inputs.region, tuning.retry);
        await settled(appstream, await elasticFleet(appstream, inputs.fleetName));
        const out = await appstream
            .call((client, sdk) =>
                client.send(
                    new sdk.UpdateFleetCommand({
                        Name: inputs.fleetName,
                        SessionScriptS3Location: { S3Bucket: inputs.s3Bucket, S3Key: inputs.s3Key },
                    }),
                ),
            )
            .catch((err) => {
                throw failure(`UpdateFleet of Elastic fleet "${inputs.fleetName}" in ${inputs.region}`, err);
            });
        const location = out.Fleet?.SessionScriptS3Location;
        return {
            region: inputs.region,
            fleetName: inputs.fleetName,
            s3Bucket: location?.S3Bucket ?? inputs.s3Bucket,
            s3Key: location?.S3Key ?? inputs.s3Key,
        };
    };

    return {
        async check(_olds, news) {
            const failures = regionFailures(news.region);
            if (typeof news.fleetName !== "string" || !isFleetName(news.fleetName)) {
                failures.push({
                    property: "fleetName",
                    reason: `${JSON.stringify(news.fleetName)} is not an AppStream fleet name: ${FLEET_NAME_RULE}`,
                });
            } else if (isKnownString(news.region)) {
                // At preview too, so a wrong name fails `pulumi preview` rather than `pulumi up`.
                const appstream = await connectAppStream(news.region, tuning.retry);
                const fleet = await describeFleet(appstream, news.fleetName);
                const problem = fleet
                    ? notElasticProblem(fleet, news.region)
                    : fleetNotFoundMessage(news.fleetName, news.region);
                if (problem) failures.push({ property: "fleetName", reason: problem });
            }
            return { inputs: news, failures };
        },

        async diff(_id, olds, news) {
            // Another fleet or Region is another resource; a new bundle location is an in-place update.
            const replaces = (["region", "fleetName"] as const).filter((key) => olds[key] !== news[key]);
            const changes = replaces.length > 0 || !sameLocation(olds, news);
            return { changes, replaces, deleteBeforeReplace: false };
        },

        async create(inputs) {
            return { id: inputs.fleetName, outs: await pointAtBundle(inputs) };
        },

        async read(id, props) {
            const region = props?.region;
            if (!isKnownString(region))
                throw new Error(`cannot read Elastic fleet "${id}": its Region is not recorded`);
            const fleetName = props?.fleetName ?? id;
            const fleet = await describeFleet(await connectAppStream(region, tuning.retry), fleetName);
            // A deleted fleet takes the setting with it: the resource is gone.
            if (!fleet) return { id: "" };
            return {
                id,
                props: {
                    region,
                    fleetName,
                    s3Bucket: fleet.location?.s3Bucket ?? "",
                    s3Key: fleet.location?.s3Key ?? "",
                },
            };
        },

        async update(_id, _olds, news) {
            return { outs: await pointAtBundle(news) };
        },

        async delete(_id, props) {
            const appstream = await connectAppStream(props.region, tuning.retry);
            const fleet = await describeFleet(appstream, props.fleetName);
            // Gone already, or pointed elsewhere since: nothing of ours to remove.
            if (!fleet || !sameLocation(fleet.location, props)) return;
            await settled(appstream, fleet);
            await appstream
                .call((client, sdk) =>
                    client.send(
                        new sdk.UpdateFleetCommand({
                            Name: props.fleetName,
                            AttributesToDelete: [sdk.FleetAttribute.SESSION_SCRIPT_S3_LOCATION],
                        }),
                    ),
                )
                .catch((err) => {
                    throw failure(
                        `Removing the session-script location of Elastic fleet "${props.fleetName}" in ${props.region} (UpdateFleet)`,
                        err,
                    );
                });
        },
    };
}
