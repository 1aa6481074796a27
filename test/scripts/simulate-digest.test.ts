/**
 * `npm run simulate-digest`: the deployed schedule input and serialized digest function, against the
 * sample data, as an administrator would run it; and the refusal, naming the key, of a stack that
 * sends no digest.
 */
import * as assert from "assert";
import { simulateDigest } from "../../scripts/simulate-digest";

const DIGEST_ON = {
    "appstream-ops:fleetInsights": "true",
    "appstream-ops:usageDigestEmails": '["appstream-owners@example.com"]',
    "appstream-ops:senderEmail": "appstream-digest@example.com",
};

describe("npm run simulate-digest", function () {
    this.timeout(120_000);

    it("prints the digest the dev stack would send with the digest switched on", async () => {
        const { lines, subject, html } = await simulateDigest({ stack: "dev", overrides: DIGEST_ON });
        const text = lines.join("\n");
        assert.match(text, /^To: appstream-owners@example\.com$/m);
        assert.match(text, /^From: appstream-digest@example\.com$/m);
        // The sample has a fleet close to full and a session without an end record: actions first.
        assert.match(
            subject,
            /^ACTION NEEDED .*: AppStream usage .* in eu-west-1 \(123456789012, appstream-ops\/dev\): 3\.5 h, 4 sessions, 2 users$/,
        );
        assert.match(text, /5 Athena queries in workgroup /);
        assert.match(text, /fleet-a peaked at 3 of 10 sessions/);
        assert.match(html, /^<!DOCTYPE html>/i);
    });

    it("refuses a stack that sends no digest, naming the key to set", async () => {
        await assert.rejects(
            simulateDigest({ stack: "dev" }),
            /appstream-ops:fleetInsights is false; add --config fleetInsights=true/,
        );
        await assert.rejects(
            simulateDigest({ stack: "dev", overrides: { "appstream-ops:fleetInsights": "true" } }),
            /usageDigestEmails and appstream-ops:notifyEmails are empty/,
        );
    });
});
