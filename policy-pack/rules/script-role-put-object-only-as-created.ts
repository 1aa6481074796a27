import { ResourceValidationPolicy } from "@pulumi/policy";
import { seeResource } from "../lib/seen-resources";
import { scriptRoleFindings } from "./script-role-put-object-only";

/**
 * The same check as appstream-script-role-put-object-only, on each resource before the engine
 * creates or updates it, against the resources created before it (the role, its trust policy, the
 * usage bucket). A stack check runs only after an update, so with `pulumi up --skip-preview` it
 * came after the violating permission existed; this one stops that resource from being created.
 */
export const scriptRolePutObjectOnlyAsCreated: ResourceValidationPolicy = {
    name: "appstream-script-role-put-object-only-as-created",
    description:
        "Checks each IAM resource before it is created: a role that appstream.amazonaws.com can assume may only s3:PutObject on objects of the UsagePipeline usage bucket.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const resources = seeResource(args);
        for (const finding of scriptRoleFindings(resources)) {
            // Values not known yet are the stack check's to report, during the preview.
            if (!finding.deferred && finding.urn === args.urn) reportViolation(finding.message);
        }
    },
};
