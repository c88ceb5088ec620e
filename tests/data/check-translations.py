#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every language in po/LINGUAS translates every message.

The messages are extracted from po/POTFILES.in the way po/meson.build does
(xgettext with the glib keywords), merged into each po/LANG.po with
msgmerge, and every message left untranslated or fuzzy is named. A message
that xgettext cut short (a format macro such as G_GINT64_FORMAT inside _(),
which it cannot expand) is named too: it could never be translated.

Usage: check-translations.py SOURCE_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

KEYWORDS = ["_", "N_", "C_:1c,2", "NC_:1c,2", "g_dngettext:2,3", "ngettext:1,2",
            "g_dpgettext2:2c,3", "Q_:1g"]


def messages(po_text):
    """(msgid, msgstr list, flags) of each entry of a .po file's text."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key is not None:
                fields[key] += line[1:-1]
        if "msgid" in fields and fields["msgid"] != "":
            strs = [value for name, value in fields.items() if name.startswith("msgstr")]
            entries.append((fields["msgid"], strs, flags))
    return entries


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    for tool in ("xgettext", "msgmerge"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian package gettext)", file=sys.stderr)
            return 77

    po_dir = os.path.join(root, "po")
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        languages = [word for line in f if not line.startswith("#") for word in line.split()]

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "beatbook.pot")
        command = ["xgettext", "--from-code=UTF-8", "--add-comments", "--directory", root,
                   "--files-from", os.path.join(po_dir, "POTFILES.in"), "--output", pot]
        command += [f"--keyword={keyword}" for keyword in KEYWORDS]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"xgettext failed:\n{result.stderr}", file=sys.stderr)
            return 1

        with open(pot, encoding="utf-8") as f:
            for msgid, _, _ in messages(f.read()):
                if re.search(r"(?<!%)%$", msgid.replace("%%", "")):
                    problems.append(f"cut short by a macro xgettext cannot expand: “{msgid}”")

        for language in languages:
            merged = os.path.join(tmp, f"{language}.po")
            result = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching",
                                     os.path.join(po_dir, f"{language}.po"), pot, "--output-file", merged],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                problems.append(f"po/{language}.po: msgmerge failed: {result.stderr.strip()}")
                continue
            with open(merged, encoding="utf-8") as f:
                for msgid, strs, flags in messages(f.read()):
                    if "fuzzy" in flags:
                        problems.append(f"po/{language}.po: fuzzy: “{msgid}”")
                    elif not strs or any(value == "" for value in strs):
                        problems.append(f"po/{language}.po: not translated: “{msgid}”")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): translate them (msgmerge po/LANG.po against "
              "the extracted messages, then fill in msgstr)", file=sys.stderr)
        return 1
    print(f"{len(languages)} language(s) translate every message")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
