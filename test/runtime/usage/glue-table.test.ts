import * as assert from "assert";
import { glueIdentifier, stackDatabaseName } from "../../../runtime/usage/glue-table";

describe("Glue database per stack", () => {
    it("keeps a stack name Glue can spell as it is", () => {
        assert.strictEqual(stackDatabaseName("dev"), "appstream_usage_dev");
        assert.strictEqual(stackDatabaseName("prod_eu"), "appstream_usage_prod_eu");
    });

    it("gives stack names that fold to one Glue name databases of their own (issue 15)", () => {
        const names = ["Prod-EU", "prod_eu", "prod.eu", "PROD_EU", "prod-eu"].map(stackDatabaseName);
        assert.strictEqual(new Set(names).size, names.length, names.join(", "));
        for (const name of names) assert.match(name, /^appstream_usage_prod_eu(_[0-9a-f]{8})?$/);
        // Negative control: folding alone, as before, maps them all to one database.
        assert.strictEqual(
            new Set(["Prod-EU", "prod_eu", "prod.eu"].map((s) => glueIdentifier(`appstream_usage_${s}`))).size,
            1,
        );
    });

    it("stays within Glue's 255 characters", () => {
        assert.ok(stackDatabaseName(`A-${"x".repeat(400)}`).length <= 255);
    });
});
