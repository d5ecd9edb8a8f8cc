"""The CloudFormation resource schemas that cfn-lint ships, read through cfn-lint itself.

cfn-lint keeps one pointer file per region (``cfnlint/data/schemas/providers/<region>.json``: resource
type -> schema hash) and the schemas by hash (``cfnlint/data/schemas/resources/<hash>.json``), and it
applies its own patches when it builds them. Reading them through ``PROVIDER_SCHEMA_MANAGER`` gives
exactly the schema cfn-lint validates against, for the stage's region. (When ``cfn-lint
--update-specs`` has put newer schemas into the user's cache, cfn-lint prefers those; the CLI prints
which were used.)
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError


class UnknownResourceType(LookupError):
    """An aws-native type with no CloudFormation resource type in the region."""


@cache
def _types_by_lowercase(region: str) -> dict[str, str]:
    return {resource_type.lower(): resource_type for resource_type in PROVIDER_SCHEMA_MANAGER.get_resource_types(region)}


def cfn_type(aws_native_type: str, region: str) -> str:
    """``aws-native:quicksight:Analysis`` -> ``AWS::QuickSight::Analysis``, spelled as the region's schemas spell it."""
    provider, module, kind = aws_native_type.split(":")
    if provider != "aws-native":
        raise UnknownResourceType(f"{aws_native_type} is not an aws-native resource type")
    wanted = f"aws::{module}::{kind}".lower()
    found = _types_by_lowercase(region).get(wanted)
    if found is None:
        raise UnknownResourceType(f"{aws_native_type}: cfn-lint knows no CloudFormation type AWS::{module}::{kind} in {region}")
    return found


def resource_schema(resource_type: str, region: str) -> dict[str, Any]:
    """The provider schema of a CloudFormation resource type in a region."""
    try:
        schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except ResourceNotFoundError as error:
        raise UnknownResourceType(f"cfn-lint has no schema for {resource_type} in {region}") from error
    return schema


def schema_source() -> str:
    """Where the schemas come from and their date, for the CLI's header (informational only)."""
    providers = getattr(PROVIDER_SCHEMA_MANAGER, "_providers_dir", None)
    if not isinstance(providers, Path):
        return "cfn-lint's schemas"
    try:
        date = json.loads((providers.parent / "version.json").read_text(encoding="utf-8")).get("schema_date", "unknown date")
    except (OSError, ValueError):
        date = "unknown date"
    return f"schemas of {date} from {providers.parent.resolve()}"
