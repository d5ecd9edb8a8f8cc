"""``python -m cfn_check --manifests out/synth/<stage>``: prints every cfn-lint finding about the
synthesized QuickSight resources; exits 1 when any is an error, 2 when nothing could be checked.
With ``--api-model``, checks each resource's Create* request against botocore's QuickSight API model
instead (:mod:`cfn_check.api_model`), with the same exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from . import api_model
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
    parser.add_argument("--api-model", action="store_true", help="check each resource's Create* request against botocore's QuickSight API model instead of cfn-lint")
    args = parser.parse_args(argv)
    if args.api_model:
        return check_api_model(args.manifests, args.prefix, args.errors_only)

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


def check_api_model(directories: Sequence[Path], prefix: str, errors_only: bool) -> int:
    """``--api-model``: every request, what was put in or left out of it (not with ``--errors-only``),
    and every finding (all of them errors)."""
    print(api_model.model_source())
    checked = errors = 0
    for directory in directories:
        if not directory.is_dir():
            print(f"{directory}: no such directory (run `npm run synth -- <stage>` first)", file=sys.stderr)
            return 2
        requests, findings = api_model.check_directory(directory, prefix)
        for request in [] if errors_only else requests:
            print(f"{request.stack}: {request.operation} {request.resource}: {sum(request.nodes.values())} value(s) walked")
            for note in request.notes:
                print(f"  note: {note}")
        for finding in findings:
            print(f"  {finding}")
        checked += len(requests) + len(findings)
        errors += len(findings)
        print(f"{directory}: {len(requests)} request(s), {len(findings)} error(s)")
    if checked == 0:
        print(f"nothing to check: no {prefix}* resources in {', '.join(map(str, directories))}", file=sys.stderr)
        return 2
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
