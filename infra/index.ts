import * as pulumi from "@pulumi/pulumi";
import { buildStack } from "./program";

// The stack name decides the stage and the layers; see ../shared/DESIGN.md and README.md.
export = buildStack(pulumi.getStack());
