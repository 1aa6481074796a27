/**
 * Runs SQL on a real Trino (the engine behind Athena engine version 3), embedded in a JVM that
 * `test/trino/engine` builds with Maven: a Hive catalog with a file metastore over local files,
 * as Athena reads Glue tables over S3. Needs Java 25 and Maven; when either is missing, or Trino
 * cannot be resolved or started, it throws with the reason. It never skips.
 */
import { spawnSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ENGINE_DIR = path.resolve(__dirname, "..", "engine");
const CLASSPATH_FILE = path.join(ENGINE_DIR, "target", "classpath.txt");

/** JVM options Trino's own launcher sets (etc/jvm.config) that an embedded server needs too. */
const JVM_OPTIONS = [
    "--add-modules=jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow",
    "-Djdk.attach.allowAttachSelf=true",
    "-Xmx2g",
];

export interface TrinoJob {
    /** The Hive schema (Glue database) the session uses. */
    readonly schema: string;
    readonly timeZone: string;
    /** Hive catalog properties. */
    readonly catalog: Record<string, string>;
    readonly setup: readonly string[];
    readonly queries: readonly { readonly id: string; readonly sql: string }[];
}

export interface QueryResult {
    readonly columns: string[];
    readonly types: string[];
    readonly rows: unknown[][];
    readonly error?: string;
}

export interface TrinoRun {
    readonly trinoVersion: string;
    readonly startupMillis: number;
    readonly queries: Record<string, QueryResult>;
}

/** Java 25 (Trino 483's minimum): JAVA25_HOME, then the Temurin 25 the machines have, then JAVA_HOME. */
export function java25Home(): string {
    const candidates = [process.env.JAVA25_HOME, "/usr/lib/jvm/temurin-25-jdk-amd64", process.env.JAVA_HOME].filter(
        (c): c is string => !!c,
    );
    for (const home of candidates) {
        const java = path.join(home, "bin", "java");
        if (!fs.existsSync(java)) continue;
        const version = spawnSync(java, ["-version"], { encoding: "utf8" }).stderr ?? "";
        const major = Number(/version "(\d+)/.exec(version)?.[1] ?? 0);
        if (major >= 25) return home;
    }
    throw new Error(
        `Trino 483 needs Java 25 or later, and none was found (tried ${candidates.join(", ") || "nothing"}); set JAVA25_HOME to a JDK 25`,
    );
}

/** Compiles the engine and resolves Trino from Maven Central (cached in ~/.m2 after the first run). */
export function buildEngine(javaHome: string): string {
    const mvn = spawnSync("mvn", ["-v"], { encoding: "utf8" });
    if (mvn.error || mvn.status !== 0) throw new Error("the Trino suite needs Maven (mvn) on the PATH");
    process.stderr.write("      trino: resolving Trino 483 and compiling the runner with Maven…\n");
    const build = spawnSync(
        "mvn",
        ["-q", "-B", "compile", "dependency:build-classpath", `-Dmdep.outputFile=${CLASSPATH_FILE}`],
        {
            cwd: ENGINE_DIR,
            encoding: "utf8",
            env: { ...process.env, JAVA_HOME: javaHome },
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    if (build.status !== 0) {
        throw new Error(`Maven could not build the Trino runner:\n${(build.stdout + build.stderr).slice(-4000)}`);
    }
    return `${path.join(ENGINE_DIR, "target", "classes")}${path.delimiter}${fs.readFileSync(CLASSPATH_FILE, "utf8").trim()}`;
}

export interface TrinoEngine {
    readonly javaHome: string;
    readonly classpath: string;
}

/** Finds Java 25 and builds the runner: done before the data is generated, since it can take minutes. */
export function prepareTrino(): TrinoEngine {
    const javaHome = java25Home();
    return { javaHome, classpath: buildEngine(javaHome) };
}

/** Runs the job on a fresh embedded Trino and returns what every query answered. */
export async function runOnTrino(
    engine: TrinoEngine,
    job: TrinoJob,
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "trino-job-")),
) {
    const { javaHome, classpath } = engine;
    const jobFile = path.join(workDir, "job.json");
    const resultFile = path.join(workDir, "result.json");
    fs.writeFileSync(jobFile, JSON.stringify(job));
    process.stderr.write("      trino: starting the embedded server…\n");
    const output: string[] = [];
    const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(
            path.join(javaHome, "bin", "java"),
            [...JVM_OPTIONS, "-cp", classpath, "appstreamops.trino.AthenaSqlRunner", jobFile, resultFile],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        const collect = (chunk: Buffer) => {
            const text = chunk.toString("utf8");
            output.push(text);
            for (const line of text.split("\n"))
                if (/trino: /.test(line)) process.stderr.write(`      ${line.replace(/.*trino: /, "trino: ")}\n`);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.on("error", reject);
        child.on("close", (status) => resolve(status ?? 1));
    });
    if (code !== 0 || !fs.existsSync(resultFile)) {
        throw new Error(`Trino failed (exit ${code}):\n${output.join("").slice(-6000)}`);
    }
    return JSON.parse(fs.readFileSync(resultFile, "utf8")) as TrinoRun;
}
