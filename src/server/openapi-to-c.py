#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns docs/openapi.yaml into JSON and into C that beatbook-server
compiles in, so the installed server serves its description without a
docs directory.

openapi-to-c.py INPUT.yaml OUTPUT.json OUTPUT.c

YAML 1.1 (PyYAML) reads some plain scalars differently from the YAML 1.2
that OpenAPI tools use: times become datetimes, 18_24 an integer, yes/no
booleans. Times are kept as text here, and anything else that is not JSON
stops the build; quote such values in the YAML.
"""
import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp rule: a time stays a string."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def plain_scalars(node, path, problems):
    """Collects plain (unquoted) scalars that YAML 1.1 and 1.2 read apart."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            plain_scalars(key, path, problems)
            plain_scalars(value, f"{path}/{key.value}", problems)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            plain_scalars(value, f"{path}/{i}", problems)
    elif isinstance(node, yaml.ScalarNode) and node.style is None:
        text = node.value
        if "_" in text and node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            problems.append(f"{path}: {text!r} is a number in YAML 1.1 but text in YAML 1.2")
        if text.lower() in ("yes", "no", "on", "off", "y", "n"):
            problems.append(f"{path}: {text!r} is a boolean in YAML 1.1 but text in YAML 1.2")


def main():
    source, json_out, c_out = sys.argv[1:4]
    with open(source, encoding="utf-8") as f:
        text = f.read()

    problems = []
    plain_scalars(yaml.compose(text, Loader=Loader), "", problems)
    if problems:
        sys.exit(f"{source}: quote these values:\n  " + "\n  ".join(problems))

    document = yaml.load(text, Loader=Loader)
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.1"):
        sys.exit(f"{source}: not an OpenAPI 3.1 document")
    try:
        data = json.dumps(document, ensure_ascii=False, sort_keys=False).encode("utf-8")
    except TypeError as error:
        sys.exit(f"{source}: a value has no JSON form ({error}); quote it in the YAML")

    with open(json_out, "wb") as f:
        f.write(data)

    lines = []
    for start in range(0, len(data), 16):
        lines.append("  " + ", ".join(f"0x{b:02x}" for b in data[start:start + 16]) + ",")
    with open(c_out, "w", encoding="utf-8") as f:
        f.write("/* Generated from docs/openapi.yaml by src/server/openapi-to-c.py: do not edit. */\n")
        f.write('#include "bb-server-openapi.h"\n\n')
        f.write("static const guint8 openapi_json[] = {\n")
        f.write("\n".join(lines))
        f.write("\n};\n\n")
        f.write("GBytes *\nbb_server_openapi_json (void)\n{\n")
        f.write("  return g_bytes_new_static (openapi_json, sizeof openapi_json);\n}\n")


if __name__ == "__main__":
    main()
