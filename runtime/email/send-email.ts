/** One email through SES v1 SendEmail, both parts in UTF-8. */
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import type { Email } from "./email-layout";

export async function sendEmail(ses: SESClient, from: string, to: readonly string[], email: Email): Promise<void> {
    const utf8 = (data: string) => ({ Data: data, Charset: "UTF-8" });
    await ses.send(
        new SendEmailCommand({
            Source: from,
            Destination: { ToAddresses: [...to] },
            Message: { Subject: utf8(email.subject), Body: { Text: utf8(email.text), Html: utf8(email.html) } },
        }),
    );
}
