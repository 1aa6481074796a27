/**
 * The layout every email of appstream-ops shares (the image updater's summary, the usage digest):
 * plain text and HTML with the same content, in the same order. A coloured banner says in one line
 * whether anything needs the reader; the header names the account, Region and stack, so emails
 * from several accounts tell themselves apart; what needs someone comes first, each section with
 * its next step, and the report follows. An empty section is left out.
 *
 * The HTML is a single column of tables, at most 640 pixels wide, with inline styles only: mail
 * clients (Outlook's Word engine above all) drop <style> blocks and most modern CSS. It is written
 * here rather than with an email framework (MJML and its kind) because it runs inside the Lambdas,
 * whose archives would carry that framework's HTML parser and CSS inliner for one fixed layout.
 * Every value that comes from AWS or from users (names, reasons, error causes) is HTML-escaped.
 */

export interface Email {
    readonly subject: string;
    readonly text: string;
    readonly html: string;
}

export function escapeHtml(value: string): string {
    return value
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

/** Subjects are one line: a newline from a value would otherwise start a header. */
export function oneLine(value: string): string {
    return value.replace(/[\r\n]+/g, " ");
}

/** The colours of the banner and section rules: red for a failure, amber for action, green otherwise. */
export const TONES = {
    failed: { strong: "#b42318", tint: "#fef3f2" },
    action: { strong: "#b54708", tint: "#fffaeb" },
    ok: { strong: "#067647", tint: "#ecfdf3" },
    info: { strong: "#475467", tint: "#f2f4f7" },
} as const;
export type Tone = keyof typeof TONES;

export const FONT = "font-family:'Segoe UI',Helvetica,Arial,sans-serif;";
const MONO = "font-family:Consolas,'Courier New',monospace;font-size:12px;word-break:break-all;";
/** Names, ARNs and commands have no spaces: let them wrap rather than widen the column on a phone. */
export const WRAP = "word-break:break-word;overflow-wrap:anywhere;";

export interface Section {
    readonly title: string;
    readonly lines: readonly string[];
    /** How many the section is about, when it lists only some of them. @default lines.length */
    readonly count?: number;
    /** What to do about it. */
    readonly nextStep?: string;
    /** @default the email's tone for what needs you, "info" for the report */
    readonly tone?: Tone;
    /**
     * Shown instead of the lines (a chart, a table): the rows of an HTML table of one column, and
     * their text twin. The title then carries no count unless `count` is given.
     */
    readonly body?: { readonly html: string; readonly text: readonly string[] };
}

export interface EmailMessage {
    readonly subject: string;
    /** One line in the coloured banner. */
    readonly headline: string;
    readonly tone: Tone;
    readonly title: string;
    /** Label and value pairs under the title: account, Region, stack… */
    readonly header: readonly (readonly [string, string])[];
    /** Console links under them. */
    readonly headerLinks?: readonly { readonly label: string; readonly text: string; readonly url: string }[];
    readonly intro: string;
    readonly actions: readonly Section[];
    readonly report: readonly Section[];
    /** The report's heading when nothing needs the reader. @default "Report" */
    readonly reportHeading?: string;
    readonly footer: string;
}

/** Links and `aws …` commands in a line, set apart in HTML: links clickable, commands in monospace. */
const LINK_OR_COMMAND = /(https:\/\/[^\s)]+)|(aws (?:appstream|stepfunctions|s3|athena) [^;)]*?)(?=\.(?:\s|$)|;|\)|$)/g;

export function htmlLine(line: string): string {
    let html = "";
    let at = 0;
    for (const match of line.matchAll(LINK_OR_COMMAND)) {
        html += escapeHtml(line.slice(at, match.index));
        const [whole, link] = match;
        html += link
            ? `<a href="${escapeHtml(link)}" style="color:#175cd3;word-break:break-all;">${escapeHtml(link)}</a>`
            : `<code style="${MONO}">${escapeHtml(whole)}</code>`;
        at = match.index! + whole.length;
    }
    return html + escapeHtml(line.slice(at));
}

const shown = (s: Section) => s.lines.length > 0 || s.body !== undefined;
const titleOf = (s: Section) =>
    s.body && s.count === undefined ? s.title : `${s.title} (${s.count ?? s.lines.length})`;

function htmlSection(s: Section, tone: Tone): string {
    const { strong, tint } = TONES[s.tone ?? tone];
    const rows =
        s.body?.html ??
        s.lines
            .map(
                (line) =>
                    `<tr><td style="padding:6px 12px;border-bottom:1px solid #eaecf0;${FONT}font-size:14px;line-height:20px;color:#101828;${WRAP}">${htmlLine(line)}</td></tr>`,
            )
            .join("");
    const next = s.nextStep
        ? `<tr><td style="padding:8px 12px;background:${tint};${FONT}font-size:13px;line-height:19px;color:#344054;${WRAP}"><strong>Next step:</strong> ${htmlLine(s.nextStep)}</td></tr>`
        : "";
    return (
        `<tr><td style="padding:16px 24px 0 24px;">` +
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;border:1px solid #eaecf0;">` +
        `<tr><td style="padding:8px 12px;border-left:4px solid ${strong};background:${tint};${FONT}font-size:15px;font-weight:bold;color:#101828;${WRAP}">${escapeHtml(titleOf(s))}</td></tr>` +
        rows +
        next +
        `</table></td></tr>`
    );
}

export function renderEmail(message: EmailMessage): Email {
    const actions = message.actions.filter(shown);
    const report = message.report.filter(shown);
    const links = message.headerLinks ?? [];
    const reportHeading = actions.length ? "For the record" : (message.reportHeading ?? "Report");

    const text: string[] = [message.headline, "", message.title, ...message.header.map(([k, v]) => `${k}: ${v}`)];
    text.push(...links.map((l) => `${l.label}: ${l.url}`));
    text.push("", message.intro, "");
    const textSection = (s: Section) => {
        text.push(`${titleOf(s)}:`, ...(s.body?.text ?? s.lines.map((line) => `  - ${line}`)));
        if (s.nextStep) text.push(`  Next step: ${s.nextStep}`);
        text.push("");
    };
    if (actions.length) {
        text.push("== What needs you ==", "");
        actions.forEach(textSection);
    }
    if (report.length) {
        text.push(`== ${reportHeading} ==`, "");
        report.forEach(textSection);
    }

    const { strong } = TONES[message.tone];
    const cell = `${FONT}font-size:13px;line-height:18px;color:#344054;padding:2px 12px 2px 0;${WRAP}`;
    const headerRows = [
        ...message.header.map(
            ([k, v]) => `<tr><td style="${cell}color:#667085;">${k}</td><td style="${cell}">${escapeHtml(v)}</td></tr>`,
        ),
        ...links.map(
            (l) =>
                `<tr><td style="${cell}color:#667085;">${escapeHtml(l.label)}</td><td style="${cell}"><a href="${escapeHtml(l.url)}" style="color:#175cd3;">${escapeHtml(l.text)}</a></td></tr>`,
        ),
    ];
    const heading = (label: string) =>
        `<tr><td style="padding:24px 24px 0 24px;${FONT}font-size:12px;font-weight:bold;letter-spacing:1px;text-transform:uppercase;color:#667085;">${label}</td></tr>`;
    const html = [
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(oneLine(message.subject))}</title></head>`,
        `<body style="margin:0;padding:0;background:#f2f4f7;">`,
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f2f4f7;"><tr><td align="center" style="padding:24px 8px;">`,
        // Fluid up to 640 px: Chromium and phones ignore max-width on a fixed-width table.
        `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background:#ffffff;border:1px solid #d0d5dd;">`,
        `<tr><td style="padding:14px 24px;background:${strong};${WRAP}${FONT}font-size:17px;font-weight:bold;line-height:24px;color:#ffffff;">${escapeHtml(message.headline)}</td></tr>`,
        `<tr><td style="padding:20px 24px 4px 24px;${FONT}font-size:20px;font-weight:bold;color:#101828;">${escapeHtml(message.title)}</td></tr>`,
        `<tr><td style="padding:4px 24px 0 24px;"><table role="presentation" cellpadding="0" cellspacing="0" border="0">${headerRows.join("")}</table></td></tr>`,
        `<tr><td style="padding:16px 24px 0 24px;${FONT}font-size:14px;line-height:21px;color:#101828;${WRAP}">${htmlLine(message.intro)}</td></tr>`,
        ...(actions.length ? [heading("What needs you"), ...actions.map((s) => htmlSection(s, message.tone))] : []),
        ...(report.length ? [heading(reportHeading), ...report.map((s) => htmlSection(s, "info"))] : []),
        `<tr><td style="padding:24px;${FONT}font-size:12px;line-height:18px;color:#667085;">${escapeHtml(message.footer)}</td></tr>`,
        `</table></td></tr></table></body></html>`,
    ].join("\n");
    return { subject: oneLine(message.subject), text: text.join("\n").trimEnd() + "\n", html };
}
