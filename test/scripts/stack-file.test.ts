import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, readStackFile } from "../../scripts/lib/cli";

describe("stack files as the scripts read them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    const write = (stack: string, text: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);

    it("bad YAML is one line naming the file (before: a stack trace)", () => {
        write("broken", "config:\n  appstream-ops:batchSize: [5\n");
        assert.throws(
            () => readStackFile("broken", dir),
            (err: Error) =>
                err instanceof UsageError &&
                /^Pulumi\.broken\.yaml is not valid YAML: /.test(err.message) &&
                !err.message.includes("\n"),
        );
    });

    it("a missing file lists the stack files there", () => {
        assert.throws(
            () => readStackFile("prod", dir),
            /^Error: Pulumi\.prod\.yaml does not exist; the stack files here are: Pulumi\.broken\.yaml/,
        );
    });

    it("secure: values are listed as secrets and kept out of the config; the rest is raw text", () => {
        write(
            "ci",
            "config:\n  aws:region: eu-west-1\n  appstream-ops:notifyEmails:\n    - a@example.com\n  appstream-ops:senderEmail:\n    secure: v1:AAAA\n",
        );
        assert.deepStrictEqual(readStackFile("ci", dir), {
            config: { "aws:region": "eu-west-1", "appstream-ops:notifyEmails": '["a@example.com"]' },
            secrets: ["appstream-ops:senderEmail"],
        });
    });
});
