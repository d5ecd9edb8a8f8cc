"""aws-native inputs -> CloudFormation properties, driven by the CloudFormation resource schema.

aws-native names each input after its CloudFormation property with the first letter lower-cased and
some acronyms folded (CFN ``KPIVisual`` is ``kpiVisual``, ``SSLProperties`` is ``sslProperties``),
so a property is found by comparing names case-insensitively against the schema of the object that
holds it: no list of renamed properties is kept here. Keys of objects the schema defines by
``patternProperties`` or ``additionalProperties`` (maps whose keys the user chooses, such as the
DataSet's ``physicalTableMap``) are kept as they are. A key that matches nothing in the schema is a
:class:`ConversionError` and is left out of the result (cfn-lint then reports what its absence
leaves missing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The schemas' patterns are ECMA-262 regular expressions; cfn-lint matches them with `regex` (one of
# its dependencies), and so does this module, so a map key is accepted exactly when cfn-lint would.
import regex

#: A path into a JSON document: object keys and array indexes.
JsonPath = tuple[str | int, ...]
#: A JSON (sub)schema as it is stored in the provider schema files.
SchemaNode = Mapping[str, Any]

_COMBINATORS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class ConversionError:
    """An input that has no counterpart in the CloudFormation schema."""

    #: Where the input is, in the aws-native (camelCase) inputs.
    input_path: JsonPath
    #: The same place in the CloudFormation properties (the unknown key itself kept as it is).
    cfn_path: JsonPath
    message: str


def format_path(path: Sequence[str | int]) -> str:
    """``("definition", "sheets", 0, "name")`` -> ``definition.sheets[0].name``."""
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
    return text


def resolve(root: SchemaNode, node: SchemaNode) -> SchemaNode:
    """``node`` with its local ``$ref`` (``#/definitions/...``) followed, as often as it points on."""
    seen: set[str] = set()
    while "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise ValueError(f"unsupported or circular $ref {ref!r} in the resource schema")
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def branches(root: SchemaNode, node: SchemaNode) -> list[SchemaNode]:
    """``node`` and, recursively, every ``allOf``/``anyOf``/``oneOf`` branch of it, each resolved."""
    resolved = resolve(root, node)
    found = [resolved]
    for combinator in _COMBINATORS:
        for branch in resolved.get(combinator, []):
            found.extend(branches(root, branch))
    return found


def match_property(key: str, properties: Mapping[str, Any]) -> str | None:
    """The schema property an input key names: the same name ignoring case. Should two properties
    differ only in case, the exact name wins, then the name with only its first letter raised."""
    for exact in (key, key[:1].upper() + key[1:]):
        if exact in properties:
            return exact
    candidates = [name for name in properties if name.lower() == key.lower()]
    return candidates[0] if len(candidates) == 1 else None


def _map_value_schema(key: str, nodes: Sequence[SchemaNode]) -> SchemaNode | None:
    """The schema of a map entry: the first ``patternProperties`` pattern the key matches, else a
    schema-valued ``additionalProperties``, else an empty (free-form) schema if the object allows
    additional properties without saying more; None when the key is not allowed."""
    for node in nodes:
        for pattern, value_schema in node.get("patternProperties", {}).items():
            if regex.search(pattern, key):
                entry: SchemaNode = value_schema
                return entry
    for node in nodes:
        additional = node.get("additionalProperties")
        if isinstance(additional, Mapping):
            return additional
    declares_shape = any("properties" in node or "patternProperties" in node for node in nodes)
    if not declares_shape and all(node.get("additionalProperties", True) is not False for node in nodes):
        return {}
    return None


def _convert_object(value: Mapping[str, Any], nodes: Sequence[SchemaNode], root: SchemaNode, path: JsonPath, cfn_path: JsonPath) -> tuple[dict[str, Any], list[ConversionError]]:
    properties: dict[str, Any] = {}
    for node in nodes:
        properties.update(node.get("properties", {}))
    converted: dict[str, Any] = {}
    errors: list[ConversionError] = []
    for key, item in value.items():
        name = match_property(key, properties)
        item_schema: SchemaNode | None = properties[name] if name is not None else _map_value_schema(key, nodes)
        if name is None and item_schema is not None:
            name = key  # a map entry: the user chose the key
        if name is None or item_schema is None:
            expected = ", ".join(sorted(properties)) or "no properties"
            errors.append(ConversionError(path + (key,), cfn_path + (key,), f"'{key}' matches no property of the CloudFormation schema here (expected one of: {expected})"))
            continue
        converted[name], item_errors = to_cfn(item, item_schema, root, path + (key,), cfn_path + (name,))
        errors.extend(item_errors)
    return converted, errors


def to_cfn(value: Any, node: SchemaNode, root: SchemaNode, path: JsonPath = (), cfn_path: JsonPath = ()) -> tuple[Any, list[ConversionError]]:
    """``value`` (aws-native inputs at ``path``, under ``node`` of the resource schema ``root``) as
    CloudFormation properties (at ``cfn_path``), with the inputs that match nothing in the schema."""
    nodes = branches(root, node)
    if isinstance(value, Mapping):
        return _convert_object(value, nodes, root, path, cfn_path)
    if isinstance(value, list):
        item_schema: SchemaNode = next((n["items"] for n in nodes if isinstance(n.get("items"), Mapping)), {})
        converted: list[Any] = []
        errors: list[ConversionError] = []
        for index, item in enumerate(value):
            converted_item, item_errors = to_cfn(item, item_schema, root, path + (index,), cfn_path + (index,))
            converted.append(converted_item)
            errors.extend(item_errors)
        return converted, errors
    return value, []


def resource_properties(inputs: Mapping[str, Any], schema: SchemaNode) -> tuple[dict[str, Any], list[ConversionError]]:
    """A resource's aws-native inputs as the ``Properties`` of its CloudFormation resource."""
    converted, errors = to_cfn(inputs, schema, schema)
    return dict(converted), errors


def input_path(inputs: Any, cfn_path: Sequence[str | int]) -> JsonPath:
    """The aws-native input path of a CloudFormation property path (the reverse of :func:`to_cfn`):
    each key is the input key that names it, ignoring case; the segments past the end of the
    inputs (a property that is missing) are kept as they are."""
    found: list[str | int] = []
    current: Any = inputs
    for segment in cfn_path:
        if isinstance(current, Mapping) and isinstance(segment, str):
            key = segment if segment in current else next((k for k in current if isinstance(k, str) and k.lower() == segment.lower()), None)
            if key is not None:
                found.append(key)
                current = current[key]
                continue
        elif isinstance(current, list) and isinstance(segment, int) and 0 <= segment < len(current):
            found.append(segment)
            current = current[segment]
            continue
        found.append(segment)
        current = None
    return tuple(found)
