import * as pulumi from "@pulumi/pulumi";
import { buildStack } from "./program";

// The stack name decides the stage and the layers (README.md, "Stages and stacks").
export = buildStack(pulumi.getStack());
