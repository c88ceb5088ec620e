#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest without building it.

The sandbox must hold exactly the permissions Beatbook needs and no more:
network for sync, a display, the GPU, and the Secret Service for the sync
token. The app module is built from this checkout without the server
(libargon2 is not in the GNOME SDK), and runs its tests.

Usage: check-flatpak.py MANIFEST
"""

import json
import sys

EXPECTED_FINISH_ARGS = [
    '--share=network',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
    '--talk-name=org.freedesktop.secrets',
]


def check(manifest):
    problems = []

    def expect(key, value):
        if manifest.get(key) != value:
            problems.append(f'"{key}" is {json.dumps(manifest.get(key))}, '
                            f'expected {json.dumps(value)}')

    app_id = manifest.get('app-id', manifest.get('id'))
    if app_id != 'org.beatbook.Beatbook':
        problems.append(f'the app id is {json.dumps(app_id)}, '
                        'expected "org.beatbook.Beatbook"')
    expect('runtime', 'org.gnome.Platform')
    expect('sdk', 'org.gnome.Sdk')
    expect('command', 'beatbook')
    if not str(manifest.get('runtime-version', '')).strip():
        problems.append('"runtime-version" is missing')

    finish_args = manifest.get('finish-args')
    if not isinstance(finish_args, list):
        problems.append('"finish-args" is missing or not a list')
    else:
        extra = [a for a in finish_args if a not in EXPECTED_FINISH_ARGS]
        missing = [a for a in EXPECTED_FINISH_ARGS if a not in finish_args]
        if extra:
            problems.append('"finish-args" grants more than Beatbook needs: '
                            + ', '.join(extra))
        if missing:
            problems.append('"finish-args" lacks ' + ', '.join(missing))
        if len(finish_args) != len(set(finish_args)):
            problems.append('"finish-args" repeats an entry')

    modules = manifest.get('modules')
    if not isinstance(modules, list) or not modules:
        problems.append('"modules" is missing or empty')
        return problems
    app = modules[-1]
    if not isinstance(app, dict):
        problems.append('the last module (the app) is not an object')
        return problems
    if app.get('buildsystem') != 'meson':
        problems.append('the app module is not built with meson')
    if app.get('run-tests') is not True:
        problems.append('the app module does not run its tests ("run-tests")')
    if '-Dserver=false' not in app.get('config-opts', []):
        problems.append('the app module must configure with -Dserver=false: '
                        'libargon2 is not in the GNOME SDK')
    sources = app.get('sources', [])
    if not any(isinstance(s, dict) and s.get('type') == 'dir'
               and s.get('path') == '..' for s in sources):
        problems.append('the app module is not built from this checkout '
                        '(a "dir" source with path "..")')
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f'{path}: {e}', file=sys.stderr)
        return 1
    if not isinstance(manifest, dict):
        print(f'{path}: the manifest is not a JSON object', file=sys.stderr)
        return 1

    problems = check(manifest)
    for problem in problems:
        print(f'{path}: {problem}', file=sys.stderr)
    print(f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
