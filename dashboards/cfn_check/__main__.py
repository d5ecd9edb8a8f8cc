"""``python -m cfn_check --manifests out/synth/<stage>``: prints every cfn-lint finding about the
synthesized QuickSight resources; exits 1 when any is an error, 2 when nothing could be checked."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from .check import QUICKSIGHT_PREFIX, check_directory
from .schemas import schema_source


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cfn_check",
        description="Validate the synthesized aws-native QuickSight resources against AWS's CloudFormation schemas (cfn-lint).",
        epilog="Synthesize first: npm run synth -- <stage>  (writes out/synth/<stage>/).",
    )
    parser.add_argument("--manifests", type=Path, action="append", required=True, metavar="DIR", help="a synthesized stage directory, e.g. out/synth/dev (repeatable)")
    parser.add_argument("--errors-only", action="store_true", help="print only the findings that fail (errors)")
    parser.add_argument("--prefix", default=QUICKSIGHT_PREFIX, help=f"resource types to check (default: {QUICKSIGHT_PREFIX})")
    args = parser.parse_args(argv)

    print(f"cfn-lint {version('cfn-lint')}, {schema_source()}")
    checked = errors = 0
    for directory in args.manifests:
        if not directory.is_dir():
            print(f"{directory}: no such directory (run `npm run synth -- <stage>` first)", file=sys.stderr)
            return 2
        templates, findings = check_directory(directory, args.prefix)
        for template in templates:
            kinds = sorted({resource["Type"] for resource in template.body["Resources"].values()})
            print(f"{template.stack} ({template.region}): {len(template.body['Resources'])} resource(s) linted: {', '.join(kinds) or 'none'}")
            checked += len(template.body["Resources"]) + len({f.resource for f in template.findings})
        for finding in findings:
            if finding.fails or not args.errors_only:
                print(f"  {finding}")
        errors += sum(finding.fails for finding in findings)
        print(f"{directory}: {sum(f.fails for f in findings)} error(s), {sum(not f.fails for f in findings)} warning(s)/informational")
    if checked == 0:
        print(f"nothing to check: no {args.prefix}* resources in {', '.join(map(str, args.manifests))}", file=sys.stderr)
        return 2
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
