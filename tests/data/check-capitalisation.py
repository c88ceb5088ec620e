#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One capitalisation rule for the interface text (docs/architecture.md,
"Interface text"), as the GNOME HIG has it: header case for titles and
commands, sentence case for labels and sentences.

  check-capitalisation.py SOURCE_ROOT

Reads the templates (ui/**/*.ui) and the app's C sources (src/app) where
the kind of text is plain from its place: a window, header bar, status page
or view title, a dialog heading, a button or a menu item must be in header
case; a group heading, a row title, a tooltip or a placeholder in sentence
case. Prints every string that breaks the rule, with its file, and fails.
"""

import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

# Words header case leaves in lower case inside a title: articles,
# conjunctions and prepositions of three letters or fewer (the HIG's list).
SMALL = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet",
         "as", "at", "by", "in", "of", "on", "to", "up", "via", "per", "off"}

# Words that keep their capital inside a sentence: names, keys, the app's
# buttons named in a tooltip.
PROPER = {"Beatbook", "Section", "Ctrl", "Alt", "Shift", "Escape", "Enter", "Tab",
          "Left", "Right", "Up", "Down", "New", "Edit", "Delete", "Save", "Sync",
          "Road", "Traffic", "Act", "I", "Flycapture"}

HEADER_PROPS = {
    # class: properties in header case
    "GtkWindow": {"title"}, "AdwWindow": {"title"}, "AdwApplicationWindow": {"title"},
    "AdwPreferencesWindow": {"title"}, "GtkDialog": {"title"},
    "AdwWindowTitle": {"title"}, "AdwViewSwitcherTitle": {"title"},
    "AdwStatusPage": {"title"}, "AdwViewStackPage": {"title"},
    "AdwMessageDialog": {"heading"},
    "GtkButton": {"label"}, "GtkToggleButton": {"label"}, "GtkMenuButton": {"label"},
    "AdwSplitButton": {"label"}, "GtkLinkButton": {"label"},
}
SENTENCE_PROPS = {
    "AdwPreferencesGroup": {"title"}, "AdwActionRow": {"title"}, "AdwEntryRow": {"title"},
    "AdwPasswordEntryRow": {"title"}, "AdwExpanderRow": {"title"}, "AdwComboRow": {"title"},
    "*": {"tooltip-text", "placeholder-text"},
}

# C calls whose string argument is plain: (pattern, rule).
C_CALLS = [
    (r"adw_message_dialog_new\s*\([^,]*,\s*_\(\"([^\"]*)\"", "header"),
    (r"gtk_button_new_with_(?:mnemonic|label)\s*\(\s*_\(\"([^\"]*)\"", "header"),
    (r"g_menu_item_new\s*\(\s*_\(\"([^\"]*)\"", "header"),
    (r"adw_status_page_set_title\s*\([^,]*,\s*_\(\"([^\"]*)\"", "header"),
    (r"gtk_file_chooser_native_new\s*\(\s*_\(\"([^\"]*)\"", "header"),
    (r"\"[a-z-]+\",\s*_\(\"(_[^\"]*|[^\"]*_[^\"]*)\"\)", "header"),   # dialog responses
    (r"adw_preferences_group_set_title\s*\([^,]*,\s*_\(\"([^\"]*)\"", "sentence"),
    (r"gtk_widget_set_tooltip_text\s*\([^,]*,\s*_\(\"([^\"]*)\"", "sentence"),
]


def words(text):
    text = text.replace("_", "").replace("…", "").replace("...", "")
    return [w for w in re.split(r"\s+", text.strip()) if w]


def core(word):
    """The word without surrounding punctuation, its first hyphenated part."""
    return word.strip("()[]“”\"'‘’,.:;?!").split("-")[0]


def is_header_case(text):
    ws = words(text)
    for i, word in enumerate(ws):
        w = core(word)
        if not w or not w[0].isalpha() or any(c.isdigit() for c in w) or "%" in word:
            continue
        inner = 0 < i < len(ws) - 1
        if w[0].islower() and not (inner and w in SMALL):
            return False
    return True


def is_sentence_case(text):
    ws = words(text)
    for i, word in enumerate(ws):
        w = core(word)
        if i == 0 or not w or not w[0].isalpha():
            continue
        if w[0].islower() or w in PROPER or any(c.isdigit() for c in w):
            continue
        if len(w) > 1 and w.upper() == w:        # an acronym: VAWG, PDF
            continue
        previous = ws[i - 1]
        if previous.endswith((".", ":", "?", "!")) or word.startswith(("(", "“", "\"")):
            continue
        return False
    return True


def check_ui(path, problems):
    tree = ET.parse(path)
    for element in tree.iter():
        if element.tag not in ("object", "template"):
            continue
        cls = element.get("class") if element.tag == "object" else element.get("parent")
        header = HEADER_PROPS.get(cls, set())
        sentence = SENTENCE_PROPS.get(cls, set()) | SENTENCE_PROPS["*"]
        for prop in element.findall("property"):
            if prop.get("translatable") != "yes" or not prop.text:
                continue
            name = prop.get("name")
            if name in header and not is_header_case(prop.text):
                problems.append(f"{path}: {cls} {name} “{prop.text}” must be in header case")
            elif name in sentence and name not in header and not is_sentence_case(prop.text):
                problems.append(f"{path}: {cls} {name} “{prop.text}” must be in sentence case")
    for item in tree.iter("item"):
        for attribute in item.findall("attribute"):
            if attribute.get("name") == "label" and attribute.get("translatable") == "yes":
                if not is_header_case(attribute.text or ""):
                    problems.append(f"{path}: menu item “{attribute.text}” must be in header case")


def check_c(path, problems):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    for pattern, rule in C_CALLS:
        for match in re.finditer(pattern, source):
            text = match.group(1)
            ok = is_header_case(text) if rule == "header" else is_sentence_case(text)
            if not ok:
                problems.append(f"{path}: “{text}” must be in {rule} case")


def check_kind_titles(path, problems):
    """bb-format.c's table of kinds' titles: five header-case titles, then the
    same in a sentence."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    start = source.find("kind_titles[] = {")
    if start < 0:
        problems.append(f"{path}: no table of kinds' titles (kind_titles)")
        return
    table = source[start:]
    table = table[:table.index("};")]
    rows = re.findall(r"\{\s*BB_KIND_\w+,((?:\s*N_\(\"[^\"]*\"\),?)+)\s*\}", table)
    if not rows:
        problems.append(f"{path}: no kinds' titles found")
    for row in rows:
        texts = re.findall(r"N_\(\"([^\"]*)\"\)", row)
        for text in texts[:-1]:
            if not is_header_case(text):
                problems.append(f"{path}: “{text}” must be in header case")
        if not is_sentence_case(texts[-1]):
            problems.append(f"{path}: “{texts[-1]}” must be in sentence case")


def self_test():
    assert is_header_case("Keep on This Device")
    assert is_header_case("Records Logged Before Sign-In")
    assert is_header_case("New Section 59 Warning")
    assert not is_header_case("New patrol observation")
    assert not is_header_case("Not saved yet")
    assert is_sentence_case("When and where")
    assert is_sentence_case("Edit the record (Ctrl+E)")
    assert is_sentence_case("New VAWG walk")
    assert not is_sentence_case("Not Saved Yet")
    assert not is_sentence_case("Earlier Warnings")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    self_test()
    problems = []
    for path in sorted(glob.glob(os.path.join(root, "ui", "**", "*.ui"), recursive=True)):
        check_ui(path, problems)
    for path in sorted(glob.glob(os.path.join(root, "src", "app", "**", "*.c"), recursive=True)):
        check_c(path, problems)
    check_kind_titles(os.path.join(root, "src", "app", "bb-format.c"), problems)
    for problem in problems:
        print(os.path.relpath(problem, root) if problem.startswith(root) else problem)
    if problems:
        print(f"{len(problems)} string(s) break the capitalisation rule", file=sys.stderr)
        return 1
    print("capitalisation: every title and label follows the rule")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
