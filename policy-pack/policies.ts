/**
 * Every policy of the pack. Tests and `npm run policy:check` import this module; `index.ts` serves
 * the same list to the Pulumi engine.
 */
import { Policies } from "@pulumi/policy";
import { appStreamChangesTagScoped } from "./rules/appstream-changes-tag-scoped";
import { bucketsPrivateAndEncrypted } from "./rules/buckets-private-and-encrypted";
import { noWildcardIamActions } from "./rules/no-wildcard-iam-actions";
import { scriptRolePutObjectOnly } from "./rules/script-role-put-object-only";
import { scriptRolePutObjectOnlyAsCreated } from "./rules/script-role-put-object-only-as-created";
import { sesSenderRestricted } from "./rules/ses-sender-restricted";
import { sessionScriptsWaitTime } from "./rules/session-scripts-wait-time";
import { stateMachineLogging } from "./rules/state-machine-logging";
import { usageDigestReadOnly } from "./rules/usage-digest-read-only";

export const POLICY_PACK_NAME = "appstream-ops-guardrails";

export const policies: Policies = [
    scriptRolePutObjectOnly,
    scriptRolePutObjectOnlyAsCreated,
    sessionScriptsWaitTime,
    bucketsPrivateAndEncrypted,
    noWildcardIamActions,
    stateMachineLogging,
    sesSenderRestricted,
    appStreamChangesTagScoped,
    usageDigestReadOnly,
];
