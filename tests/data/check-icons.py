#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the app icons that data/meson.build installs.

The full-colour icon is drawn on GNOME's 128 px grid and the symbolic one on
16 px; both must be well-formed SVG, and the symbolic one must be drawn in
one colour only, or GTK cannot recolour it for the dark style.

Usage: check-icons.py SOURCE_ROOT APP_ID
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
COLOUR = re.compile(r'#[0-9a-fA-F]{3,8}\b')


def check(path, size, symbolic):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return [f'{path}: {e}']
    if root.tag != SVG + 'svg':
        return [f'{path}: the root element is {root.tag}, not <svg>']
    view_box = root.get('viewBox', '').split()
    if view_box != ['0', '0', str(size), str(size)]:
        problems.append(f'{path}: viewBox is "{root.get("viewBox")}", '
                        f'expected "0 0 {size} {size}"')
    for attr in ('width', 'height'):
        if root.get(attr) != str(size):
            problems.append(f'{path}: {attr} is "{root.get(attr)}", '
                            f'expected "{size}"')
    if symbolic:
        colours = set()
        for element in root.iter():
            for attr in ('fill', 'stroke'):
                value = element.get(attr, '')
                colours.update(c.lower() for c in COLOUR.findall(value))
            colours.update(c.lower() for c in
                           COLOUR.findall(element.get('style', '')))
        if len(colours) > 1:
            problems.append(f'{path}: a symbolic icon uses one colour, '
                            f'this one uses {", ".join(sorted(colours))}')
    if not any(el.tag in (SVG + 'path', SVG + 'rect', SVG + 'circle')
               for el in root.iter()):
        problems.append(f'{path}: draws nothing')
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root, app_id = sys.argv[1], sys.argv[2]
    apps = os.path.join(root, 'data', 'icons', 'hicolor')
    problems = check(os.path.join(apps, 'scalable', 'apps', app_id + '.svg'),
                     128, False)
    problems += check(os.path.join(apps, 'symbolic', 'apps',
                                   app_id + '-symbolic.svg'), 16, True)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'2 icons checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
