#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Mallard user guide in help/C.

Every page must be well-formed XML (and pass xmllint --noout --xinclude when
xmllint is installed), be a Mallard page whose id is its file name, have a
title, and be reachable: topic pages link to a section of a guide page that
exists, and every xref points to a page (and section) that exists. The pages
on disk, help/meson.build and data/meson.build's fallback list must agree,
so none is left out of the installed guide.

Usage: check-help.py SOURCE_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

MAL = '{http://projectmallard.org/1.0/}'
XI = '{http://www.w3.org/2001/XInclude}'


def meson_list(path, variable):
    """The quoted strings of `variable = [ ... ]` in a meson.build."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    m = re.search(re.escape(variable) + r'\s*=\s*\[(.*?)\]', text, re.DOTALL)
    if m is None:
        return None
    return re.findall(r"'([^']+)'", m.group(1))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = sys.argv[1]
    cdir = os.path.join(root, 'help', 'C')
    problems = []

    files = sorted(f for f in os.listdir(cdir)
                   if f.endswith('.page') or f.endswith('.xml'))
    pages = {}      # id -> (file, tree)
    sections = {}   # page id -> set of section ids
    for name in files:
        path = os.path.join(cdir, name)
        try:
            tree = ET.parse(path)
        except ET.ParseError as e:
            problems.append(f'help/C/{name}: not well-formed XML: {e}')
            continue
        if not name.endswith('.page'):
            continue
        page = tree.getroot()
        if page.tag != MAL + 'page':
            problems.append(f'help/C/{name}: the root element is {page.tag}, '
                            'not a Mallard <page>')
            continue
        page_id = page.get('id')
        if page_id != name[:-len('.page')]:
            problems.append(f'help/C/{name}: id "{page_id}" does not match '
                            'the file name')
        if page.find(MAL + 'title') is None:
            problems.append(f'help/C/{name}: the page has no <title>')
        if page.find(MAL + 'info') is None:
            problems.append(f'help/C/{name}: the page has no <info>')
        for inc in page.iter(XI + 'include'):
            href = inc.get('href', '')
            if not os.path.isfile(os.path.join(cdir, href)):
                problems.append(f'help/C/{name}: includes "{href}", '
                                'which does not exist')
        pages[page_id] = (name, page)
        sections[page_id] = {s.get('id') for s in page.iter(MAL + 'section')}

    if 'index' not in pages:
        problems.append('help/C/index.page is missing')

    def resolve(name, xref):
        page_id, _, section = xref.partition('#')
        if page_id not in pages:
            return f'help/C/{name}: links to page "{page_id}", which does not exist'
        if section and section not in sections[page_id]:
            return (f'help/C/{name}: links to section "{section}" of '
                    f'"{page_id}", which does not exist')
        return None

    linked_sections = set()
    for page_id, (name, page) in pages.items():
        guide_links = []
        for link in page.iter(MAL + 'link'):
            xref = link.get('xref')
            if xref is None:
                continue
            problem = resolve(name, xref)
            if problem:
                problems.append(problem)
            if link.get('type') == 'guide':
                guide_links.append(xref)
                linked_sections.add(xref)
        if page.get('type', 'topic') == 'topic' and not guide_links:
            problems.append(f'help/C/{name}: a topic page with no guide link '
                            'cannot be reached from the index')
    for section in sorted(sections.get('index', ())):
        if f'index#{section}' not in linked_sections:
            problems.append(f'help/C/index.page: section "{section}" has no pages')

    xmllint = shutil.which('xmllint')
    if xmllint:
        for name in files:
            r = subprocess.run([xmllint, '--noout', '--xinclude', name],
                               cwd=cdir, capture_output=True, text=True)
            if r.returncode != 0:
                problems.append(f'help/C/{name}: xmllint: {r.stderr.strip()}')
    else:
        print('xmllint not found (Debian: libxml2-utils): checked with '
              'Python\'s XML parser only')

    for where, variable in (('help/meson.build', 'help_pages'),
                            ('data/meson.build', 'help_page_names')):
        listed = meson_list(os.path.join(root, where), variable)
        if listed is None:
            problems.append(f'{where}: no list "{variable}"')
            continue
        for name in sorted(set(files) - set(listed)):
            problems.append(f'{where}: help/C/{name} is not in "{variable}", '
                            'so it is not installed')
        for name in sorted(set(listed) - set(files)):
            problems.append(f'{where}: "{variable}" lists {name}, which is '
                            'not in help/C')

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(pages)} pages checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
