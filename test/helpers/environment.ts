/**
 * Runs `run` with `variables` set in process.env (an undefined value unsets one), then puts back
 * what each of them was before, whatever `run` changed in the meantime.
 */
export async function withEnvironment<T>(
    variables: Record<string, string | undefined>,
    run: () => Promise<T>,
): Promise<T> {
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    const set = (values: Record<string, string | undefined>) => {
        for (const [name, value] of Object.entries(values)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
    set(variables);
    try {
        return await run();
    } finally {
        set(saved);
    }
}

/**
 * Mocha hooks that set AWS_REGION for a suite, as the Lambda runtime does (the email names the
 * Region), and put back what it was after the suite.
 */
export function inLambdaRegion(region = "eu-west-1"): void {
    const saved = process.env.AWS_REGION;
    before(() => {
        process.env.AWS_REGION = region;
    });
    after(() => {
        if (saved === undefined) delete process.env.AWS_REGION;
        else process.env.AWS_REGION = saved;
    });
}
