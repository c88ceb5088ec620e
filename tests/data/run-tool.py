#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs TOOL with its arguments, or skips (exit 77) when it is not installed.

Usage: run-tool.py DEBIAN_PACKAGE TOOL [ARGUMENT...]
"""

import os
import shutil
import sys


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    package, tool = sys.argv[1], sys.argv[2]
    path = shutil.which(tool)
    if path is None:
        print(f'{tool} is not installed (Debian package: {package}): skipped')
        return 77
    sys.stdout.flush()
    os.execv(path, [tool] + sys.argv[3:])


if __name__ == '__main__':
    sys.exit(main())
