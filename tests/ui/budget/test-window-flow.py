#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The window's flow between the list, its two bars and the pickers, by real
key events on the real app (see harness.py).

  test-window-flow.py APP CLI CASE SIZE      (SIZE: wide = 1366x768, narrow = 360x640)

Cases:
  search-keeps-first-letters   letters typed at once after Ctrl+F all reach the
                               search, even while the quick start was open
  quick-start-closes           an editor opened by a shortcut closes the quick
                               start, so typing on the list starts afresh
  pickers-fit-the-window       a picker's list opens inside the window (not off
                               its edge at 360 px, nor below its bottom)
  picker-enter-after-typing    Enter straight after typing in a picker's search
                               picks what was typed, not the list's first entry
"""

import os
import subprocess
import sys

from harness import App, BudgetError, TIMEOUT

# Window titles (the harness matches them whatever their capitalisation).
LIST = r"Beatbook"
NEW_PATROL = r"New patrol observation – Beatbook"
NEW_S59 = r"New Section 59 warning – Beatbook"
EDIT_PATROL = r"Edit patrol observation – Beatbook"


def search_keeps_first_letters(app):
    """Ctrl+F then a word typed at once: the first letters used to reach the
    search entry before it was shown, and were lost. Each round starts the
    app afresh (the search bar loses letters only while it first slides in),
    with the quick start open, as when a letter was typed on the list."""
    app.add_record("patrol_observation", {"fields": {"category": "street_drinking", "ward": "town",
                                                     "description": "Zebra crossing group drinking"}})
    for _ in range(3):
        app.stop()
        app.start()
        app.type("fl")                      # opens the quick start
        app.settle()
        app.key("ctrl+f")
        app.type("zebra")                   # sent at once, as a person types
        app.key("Return")                   # opens the first match
        app.settle()
        app.key("ctrl+e")                   # edits what is shown
        app.wait_title(EDIT_PATROL)
        app.key("Escape")
        app.wait_title(LIST)


def quick_start_closes(app):
    """The quick start, opened by typing on the list, closes when an editor
    opens by a shortcut: back on the list, typing starts a new search instead
    of adding to the old words. A record on the list takes the focus back
    when the editor closes, as on a shift under way."""
    app.add_record("patrol_observation", {"fields": {"category": "street_drinking", "ward": "town",
                                                     "description": "Seeded earlier"}})
    app.stop()
    app.start()
    app.type("fly")
    app.settle()
    app.key("ctrl+2")
    app.wait_title(NEW_S59)
    app.key("Escape")
    app.wait_title(LIST)
    app.settle()
    # Had the quick start stayed open with "fly", these letters would be
    # lost and Enter would open the record on the list instead.
    app.type("asb")
    app.settle()
    app.key("Return")
    app.wait_title(NEW_PATROL)


def shown_windows(app):
    result = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(app.process.pid), ""],
                            capture_output=True, text=True, timeout=TIMEOUT)
    return set(result.stdout.split())


def popup_rectangle(app, before):
    """Where the popover opened since @before (the app's windows then) shows
    its card on the screen: the popup window's area less its shadow, which
    Xvfb (no compositor) draws black."""
    popups = shown_windows(app) - before
    boxes = []
    for window in popups:
        out = app._xdotool("getwindowgeometry", "--shell", window)
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        x, y, w, h = (int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        if w > 1 and h > 1:
            boxes.append((x, y, w, h))
    if len(boxes) != 1:
        raise BudgetError(f"expected one popover shown, found {boxes}")
    x, y, w, h = boxes[0]
    shot = os.path.join(app.tmp.name, "popup.png")
    subprocess.run(["import", "-window", "root", shot], check=True, timeout=TIMEOUT)
    # The card: what is left of the popup's area once its black edges are
    # trimmed. Negative positions are clipped to the screen first.
    crop_x, crop_y = max(x, 0), max(y, 0)
    trimmed = subprocess.run(["convert", shot, "-crop", f"{w - (crop_x - x)}x{h - (crop_y - y)}+{crop_x}+{crop_y}",
                              "+repage", "-bordercolor", "black", "-border", "1", "-fuzz", "25%", "-trim",
                              "-format", "%w %h %X %Y", "info:"],
                             capture_output=True, text=True, timeout=TIMEOUT, check=True).stdout.split()
    card_w, card_h = int(trimmed[0]), int(trimmed[1])
    card_x = crop_x + int(trimmed[2]) - 1
    card_y = crop_y + int(trimmed[3]) - 1
    return card_x, card_y, card_w, card_h


def check_inside(app, what, before):
    x, y, w, h = popup_rectangle(app, before)
    print(f"{what} at {app.size}: list at {x},{y} size {w}x{h}")
    if x < 0 or y < 0 or x + w > app.width or y + h > app.height:
        raise BudgetError(f"{what}: the list ({w}x{h} at {x},{y}) runs off the "
                          f"{app.width}x{app.height} window")


def pickers_fit_the_window(app):
    """The ward picker (near the top) and the category picker (lower down)
    open inside the window at both sizes."""
    app.key("ctrl+1")
    app.wait_title(NEW_PATROL)
    app.settle()
    # Focus opens on the empty ward: Enter opens its list.
    before = shown_windows(app)
    app.key("Return")
    app.wait_popup(True, "the ward picker to open")
    app.settle()
    check_inside(app, "ward picker", before)
    app.type("town")
    app.key("Return")
    app.wait_popup(False, "the ward picker to close")
    app.settle()
    # Focus moves on to the empty category.
    before = shown_windows(app)
    app.key("Return")
    app.wait_popup(True, "the category picker to open")
    app.settle()
    check_inside(app, "category picker", before)
    app.key("Escape")
    app.wait_popup(False, "the category picker to close")


def picker_enter_after_typing(app):
    """A picker filters after a pause in typing; Enter sent at once after the
    letters (as a quick typist or xdotool does) once picked the first entry
    of the unfiltered list: "town" gave Bean & Village Park."""
    app.key("ctrl+1")
    app.wait_title(NEW_PATROL)
    app.settle()
    app.key("Return")                       # the ward's list
    app.wait_popup(True, "the ward picker to open")
    app.settle()
    app.type("town")
    app.key("Return")                       # no pause: straight after the letters
    app.wait_popup(False, "the ward picker to close")
    app.settle()
    app.type("drug d")                      # the category, typed on its closed picker
    app.wait_popup(True, "the category picker to open")
    app.key("Return")
    app.wait_popup(False, "the category picker to close")
    app.settle()
    app.type("Exchange seen from the car park")
    app.key("ctrl+s")
    record = app.wait_records(1)[0]
    assert record["fields"].get("ward") == "town", record
    assert record["fields"].get("category") == "drug_dealing", record


CASES = {
    "search-keeps-first-letters": search_keeps_first_letters,
    "quick-start-closes": quick_start_closes,
    "pickers-fit-the-window": pickers_fit_the_window,
    "picker-enter-after-typing": picker_enter_after_typing,
}


def main(argv):
    if len(argv) != 5 or argv[3] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    _, app_path, cli_path, case, size = argv
    try:
        app = App(app_path, cli_path, size)
        if case not in ("pickers-fit-the-window", "picker-enter-after-typing"):
            app.remember_place("town", "Market Place")
        with app:
            CASES[case](app)
    except (BudgetError, AssertionError, subprocess.CalledProcessError) as error:
        print(f"FAIL: {case} at {size}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
