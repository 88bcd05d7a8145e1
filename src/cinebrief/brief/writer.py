"""Write a brief back to YAML (ruamel.yaml): schema first, unset fields left out, text kept readable.

`seconds` stays a quoted string, lists of short words stay on one line, and multi-line text is written as
a literal block, so the file reads like one written by hand and loads back to the same brief.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from cinebrief.brief.schema import SCHEMA_VERSION, Brief

_FLOW_LIST_WIDTH = 80  # short lists of words (palette, cast) stay on one line
_FLOW_ITEM = 24


def dump_brief(brief: Brief) -> str:
    """The brief as YAML text that `parse_brief` reads back to an equal brief."""
    data = brief.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data.pop("schema", None)
    tree = CommentedMap(schema=SCHEMA_VERSION)
    tree.update(_tree(data))
    yaml = YAML(typ="rt")
    yaml.width = 4096  # long text stays on one line rather than folding with trailing spaces
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    return buffer.getvalue()


def _tree(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((key, _tree(item)) for key, item in value.items())
    if isinstance(value, list):
        items = CommentedSeq(_tree(item) for item in value)
        if all(isinstance(item, str) and len(item) <= _FLOW_ITEM and "," not in item for item in value) and (
            sum(len(item) + 2 for item in value) <= _FLOW_LIST_WIDTH
        ):
            items.fa.set_flow_style()
        return items
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value
