import * as pulumi from "@pulumi/pulumi";

/**
 * A mistake the user fixes (a stage file, an upstream stack not deployed, a definition), reported by
 * Pulumi as its message alone (a RunError). Its stack is set to that message too: when the runtime
 * reports an error it formats the error's stack, and the SDK's source-map support then parses the
 * source map of every frame, the providers' multi-megabyte ones included, which took over a minute
 * before the message appeared.
 */
export class UserError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.stack = `${new.target.name}: ${message}`;
    }
}
