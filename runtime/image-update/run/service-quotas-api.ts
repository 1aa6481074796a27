/** The Service Quotas call of the update workflow: a thin adapter over the SDK v3 client. */
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import type { QuotaApi } from "../lifecycle/quotas";

export function serviceQuotasApi(client: ServiceQuotasClient): QuotaApi {
    return {
        async getQuota(ServiceCode, QuotaCode) {
            const out = await client.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }));
            return out.Quota?.Value;
        },
    };
}
