import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

// Starts the analyzer server the Pulumi engine talks to; tests import ./policies instead.
new PolicyPack(POLICY_PACK_NAME, { policies });
