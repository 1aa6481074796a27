/** What the Elastic-fleet session-script resource decides, apart from calling AppStream. */

/** AppStream's fleet name rule (CreateFleet `Name`). */
const FLEET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;

/** The rule in words, for every error about a fleet name. */
export const FLEET_NAME_RULE = "1-101 letters, digits, _ . or -, starting with a letter or digit";

export function isFleetName(name: string): boolean {
    return FLEET_NAME.test(name);
}

/** The config key the fleet names come from, named in every error a user can fix there. */
export const ELASTIC_FLEETS_KEY = "appstream-ops:elasticFleets";

/** UpdateFleet is refused while a fleet is between these states and the next. */
export const TRANSITIONAL_FLEET_STATES = ["STARTING", "STOPPING"];

export interface S3Location {
    readonly s3Bucket: string;
    readonly s3Key: string;
}

export interface FleetFacts {
    readonly name: string;
    readonly fleetType: string;
    readonly state: string;
    /** The fleet's SessionScriptS3Location, if it has one. */
    readonly location?: S3Location;
}

export function sameLocation(a: S3Location | undefined, b: S3Location | undefined): boolean {
    return a !== undefined && b !== undefined && a.s3Bucket === b.s3Bucket && a.s3Key === b.s3Key;
}

export function fleetNotFoundMessage(name: string, region: string): string {
    return `Elastic fleet "${name}" does not exist in ${region}. Fleet names are case-sensitive: fix or remove it in ${ELASTIC_FLEETS_KEY}.`;
}

/** Why this fleet cannot take a session-script location, or undefined when it can. */
export function notElasticProblem(fleet: FleetFacts, region: string): string | undefined {
    if (fleet.fleetType === "ELASTIC") return undefined;
    return (
        `Fleet "${fleet.name}" in ${region} is ${fleet.fleetType || "of unknown type"}, not ELASTIC: only Elastic fleets take a ` +
        `SessionScriptS3Location. Remove it from ${ELASTIC_FLEETS_KEY}; Always-on and On-demand fleets run the ` +
        `session scripts installed on their image (see the imageBuilderInstallCommand output).`
    );
}

export function stillTransitionalMessage(fleet: FleetFacts, region: string, waitedMs: number): string {
    return (
        `Elastic fleet "${fleet.name}" in ${region} is still ${fleet.state} after ${Math.round(waitedMs / 60000)} minutes; ` +
        `AppStream accepts no fleet update while a fleet is STARTING or STOPPING. Run pulumi up again once it is RUNNING or STOPPED.`
    );
}
