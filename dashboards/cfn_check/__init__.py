"""AWS's CloudFormation schemas, through cfn-lint, check the synthesized QuickSight resources.

``npm run synth`` writes what the Pulumi program declares; this package renders each aws-native
QuickSight resource of those manifests as the CloudFormation resource it is deployed as and lets
cfn-lint validate it, so an enum value, pattern, required property or limit that AWS would reject
fails here instead of at deploy. Run it by hand with
``.venv/bin/python -m cfn_check --manifests out/synth/dev``.
"""

from .check import (
    MASKS,
    QUICKSIGHT_PREFIX,
    Finding,
    Template,
    build_template,
    check_directory,
    check_manifest,
    checked_resources,
    load_manifests,
    logical_id,
    masked_paths,
)
from .convert import ConversionError, format_path, input_path, resource_properties, to_cfn
from .schemas import UnknownResourceType, cfn_type, resource_schema, schema_source

__all__ = [
    "MASKS",
    "QUICKSIGHT_PREFIX",
    "ConversionError",
    "Finding",
    "Template",
    "UnknownResourceType",
    "build_template",
    "cfn_type",
    "check_directory",
    "check_manifest",
    "checked_resources",
    "format_path",
    "input_path",
    "load_manifests",
    "logical_id",
    "masked_paths",
    "resource_properties",
    "resource_schema",
    "schema_source",
    "to_cfn",
]
