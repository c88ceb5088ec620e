#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks what appstreamcli cannot know about the built metainfo.

The newest release must be the version meson builds, the launchable must be
the desktop file that is installed, and every binary it says it provides
must be one the project builds.

Usage: check-metainfo.py METAINFO DESKTOP_FILE VERSION BINARY...
"""

import os
import sys
import xml.etree.ElementTree as ET


def version_key(version):
    return [int(p) if p.isdigit() else p for p in version.split('.')]


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path, desktop, version, binaries = (sys.argv[1], sys.argv[2],
                                        sys.argv[3], sys.argv[4:])
    problems = []
    try:
        component = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f'{path}: {e}', file=sys.stderr)
        return 1

    releases = [r.get('version', '') for r in component.iter('release')]
    if not releases:
        problems.append('no <release> is described')
    elif max(releases, key=version_key) != version:
        problems.append(f'the newest release is {max(releases, key=version_key)}, '
                        f'but meson builds version {version}: add its release notes')

    launchables = [l.text for l in component.iter('launchable')
                   if l.get('type') == 'desktop-id']
    if launchables != [os.path.basename(desktop)]:
        problems.append(f'the launchable is {launchables}, expected '
                        f'["{os.path.basename(desktop)}"]')

    provided = [b.text for b in component.iter('binary')]
    for binary in provided:
        if binary not in binaries:
            problems.append(f'<provides> names "{binary}", which the '
                            'project does not build')

    for problem in problems:
        print(f'{os.path.basename(path)}: {problem}', file=sys.stderr)
    print(f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
