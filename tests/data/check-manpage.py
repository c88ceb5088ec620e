#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that a man page is true to its program's --help.

Every command that `PROGRAM --help` lists must be described in the man
page's COMMANDS section, every command described there must exist, and every
long option that `PROGRAM COMMAND --help` shows must appear in the man page.

With --options-only (a program without commands, such as the app), only
the options are compared.

Usage: check-manpage.py [--options-only] MANPAGE PROGRAM
Exits 77 (skipped) with a message when PROGRAM has not been built.
"""

import os
import re
import subprocess
import sys

WORD = re.compile(r'^[a-z][a-z0-9-]*$')
LONG_OPTION = re.compile(r'(?<![\w-])--([a-z][a-z0-9-]*)')



def run(argv):
    env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='')
    return subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=60)


def command_words(text):
    """The leading command words of "user add --db PATH" -> "user add"."""
    words = []
    for word in text.split():
        if not WORD.match(word):
            break
        words.append(word)
    return ' '.join(words)


def help_commands(help_text, program_name):
    """Commands from a "Commands:" section, else from usage lines."""
    commands = []
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower() in ('commands:', 'subcommands:'):
            for entry in lines[i + 1:]:
                if not entry.strip():
                    break
                if not entry.startswith(' '):
                    break
                # "  user add    Create an account": the name ends at the
                # first run of two spaces.
                name = command_words(re.split(r'\s{2,}', entry.strip())[0])
                if name:
                    commands.append(name)
            return commands
    for line in lines:
        m = re.search(re.escape(program_name) + r'\s+(.*)', line)
        if m:
            name = command_words(m.group(1))
            if name and name not in commands:
                commands.append(name)
    return commands


def unroff(line):
    """Plain text of one line of troff source."""
    line = re.sub(r'^\.(?:B|I|BR|BI|IB|IR|RB|RI)\s+', '', line)
    line = re.sub(r'\\f[BIRP]', '', line)
    line = line.replace('\\-', '-').replace('\\(em', '-').replace('\\e', '\\')
    line = line.replace('"', '')
    return line.strip()


def man_commands(man_text):
    commands = []
    in_commands = False
    lines = man_text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith('.SH'):
            in_commands = unroff(line[3:]).upper() == 'COMMANDS'
            continue
        if in_commands and line.startswith('.TP') and i + 1 < len(lines):
            name = command_words(unroff(lines[i + 1]))
            if name:
                commands.append(name)
    return commands


def main():
    args = sys.argv[1:]
    options_only = '--options-only' in args
    args = [a for a in args if a != '--options-only']
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    man_path, program = args
    program_name = os.path.basename(program)
    if not os.access(program, os.X_OK):
        print(f'{program} has not been built: nothing to compare '
              f'{os.path.basename(man_path)} with')
        return 77

    with open(man_path, encoding='utf-8') as f:
        man_text = f.read()
    man_plain = '\n'.join(unroff(l) for l in man_text.splitlines())

    result = run([program, '--help'])
    if result.returncode != 0:
        print(f'{program_name} --help failed ({result.returncode}): '
              f'{result.stderr.strip()}', file=sys.stderr)
        return 1
    listed = [] if options_only else help_commands(result.stdout, program_name)
    if not listed and not options_only:
        print(f'{program_name} --help lists no commands:\n{result.stdout}',
              file=sys.stderr)
        return 1
    described = man_commands(man_text)
    problems = []
    for command in listed:
        if command not in described:
            problems.append(f'"{command}" is listed by {program_name} --help '
                            f'but not described under COMMANDS in '
                            f'{os.path.basename(man_path)}')
    for command in described:
        if command not in listed:
            problems.append(f'{os.path.basename(man_path)} describes '
                            f'"{command}", which {program_name} --help does '
                            'not list')

    options = set(LONG_OPTION.findall(result.stdout))
    for command in listed:
        if command == 'help':
            continue
        sub = run([program] + command.split() + ['--help'])
        if sub.returncode == 0:
            options.update(LONG_OPTION.findall(sub.stdout))
    # --help, --help-all, --help-gapplication…: every GOption program has
    # them, and a man page need not repeat them all.
    options = {o for o in options if not o.startswith('help')}
    for option in sorted(options):
        if not re.search(r'(?<![\w-])--' + re.escape(option) + r'(?![\w-])',
                         man_plain):
            problems.append(f'option --{option} is in {program_name}\'s help '
                            f'but not in {os.path.basename(man_path)}')

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(listed)} commands and {len(options)} options compared, '
          f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
