#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that po/POTFILES.in is true to the tree.

Every file it lists must exist, and every source file with strings marked
for translation must be listed: otherwise those strings silently never
reach the translators.

With --fix, rewrites po/POTFILES.in to match instead (comments kept).

Usage: check-potfiles.py [--fix] SOURCE_ROOT
"""

import os
import re
import sys

# _("…"), N_("…"), C_("ctx", "…"), NC_(…), Q_(…), with or without the
# space before the parenthesis that GNU style puts there.
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC|Q)?_\s*\(\s*"')
C_PLURAL = re.compile(r'(?<![A-Za-z0-9_])(?:g_dngettext|g_dpgettext2?|g_dgettext|dngettext|ngettext)\s*\(')
# Comments are dropped first (a header may show N_("…") in a comment);
# string literals are kept whole so that "/*" inside one is not a comment.
C_TOKENS = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                      re.DOTALL)
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
# Data files whose strings xgettext extracts through ITS rules.
XML_MARKS = {
    '.gschema.xml': re.compile(r'<(?:summary|description)\b'),
    '.metainfo.xml.in': re.compile(r'<(?:name|summary|p|li)\b'),
}


def read_potfiles(path):
    listed = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            listed.append((number, line))
    return listed


def needs_listing(path):
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except UnicodeDecodeError:
        return False
    if path.endswith('.c') or path.endswith('.h'):
        text = C_TOKENS.sub(lambda m: ' ' if m.group(0)[0] == '/' else m.group(0), text)
        return bool(C_MARK.search(text) or C_PLURAL.search(text))
    if path.endswith('.ui'):
        return bool(UI_MARK.search(text))
    if path.endswith('.desktop.in'):
        return True
    for suffix, pattern in XML_MARKS.items():
        if path.endswith(suffix):
            return bool(pattern.search(text))
    return False


def candidates(root):
    for top in ('src', 'ui'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(('.c', '.h', '.ui')):
                    yield os.path.join(dirpath, name)
    data = os.path.join(root, 'data')
    if os.path.isdir(data):
        for name in sorted(os.listdir(data)):
            if name.endswith(('.desktop.in', '.gschema.xml', '.metainfo.xml.in')):
                yield os.path.join(data, name)


def fix(root, potfiles):
    with open(potfiles, encoding='utf-8') as f:
        comments = [l.rstrip('\n') for l in f if l.startswith('#')]
    needed = []
    for path in candidates(root):
        if needs_listing(path):
            needed.append(os.path.relpath(path, root).replace(os.sep, '/'))
    with open(potfiles, 'w', encoding='utf-8') as f:
        f.write('\n'.join(comments + sorted(needed)) + '\n')
    print(f'po/POTFILES.in now lists {len(needed)} files')
    return 0


def main():
    args = sys.argv[1:]
    do_fix = '--fix' in args
    args = [a for a in args if a != '--fix']
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = args[0]
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    if do_fix:
        return fix(root, potfiles)
    problems = []

    listed = read_potfiles(potfiles)
    listed_paths = set()
    for number, rel in listed:
        if rel in listed_paths:
            problems.append(f'po/POTFILES.in:{number}: {rel} is listed twice')
        listed_paths.add(rel)
        if not os.path.isfile(os.path.join(root, rel)):
            problems.append(f'po/POTFILES.in:{number}: {rel} does not exist')

    checked = 0
    for path in candidates(root):
        checked += 1
        rel = os.path.relpath(path, root).replace(os.sep, '/')
        if rel not in listed_paths and needs_listing(path):
            problems.append(f'{rel} has strings marked for translation '
                            'but is not listed in po/POTFILES.in')

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print('To bring po/POTFILES.in up to date, run: '
              'python3 tests/data/check-potfiles.py --fix .', file=sys.stderr)
    print(f'{len(listed)} files listed, {checked} source files checked, '
          f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
