/** An error shaped as the AWS SDK v3 throws it: a name, a message and the response metadata. */
export function sdkError(name: string, message = name, httpStatusCode = 400): Error {
    return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}
