#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Interaction budgets of issue "a patrol observation in 30 seconds".

Each task is done by keyboard alone on the real app, counting every key
chord and typed field, then the saved record is read back with beatbook-cli.
A task over its budget fails.

  test-budget.py APP CLI TASK SIZE      (SIZE: wide = 1366x768, narrow = 360x640)

It prints one line per run: the task, the size, the interactions against the
budget, the seconds taken and every chord and field sent. tests/ui/meson.build
runs every task at both sizes in the ui suite.
"""

import sys

from harness import App, BudgetError, field

PATROL = r"New patrol observation – Beatbook"
S59 = r"New Section 59 warning – Beatbook"


def start_from_list(app, words, title):
    """From the list: type what happened, Enter takes the first hit."""
    app.type(words)
    app.settle()
    app.key("Return")
    app.wait_title(title)


def pick(app, text):
    """A picker with focus: typing filters it, Enter chooses the first match."""
    app.type(text)
    app.settle()
    app.key("Return")
    app.settle()


def save(app, count):
    app.key("ctrl+s")
    records = app.wait_records(count)
    app.wait_title("Beatbook")
    return records[0]


def task_first_observation(app):
    """First patrol observation of a shift: ASB youths, nothing pre-filled."""
    start_from_list(app, "asb", PATROL)
    # When and where come first: focus opens on the empty ward. Enter opens
    # its picker (typing straight onto the closed picker would save that key,
    # but its first letter opens the search and, on a loaded machine, the
    # letters after it can be lost).
    app.key("Return")
    app.settle()
    pick(app, "town")
    # Saving points at what is still missing: the description.
    app.key("ctrl+s")
    app.settle()
    app.type("Six youths kicking a football at parked cars")
    record = save(app, 1)
    assert record["kind"] == "patrol_observation", record
    assert field(record, "category") == "asb_youths", record
    assert field(record, "ward") == "town", record
    assert field(record, "description") == "Six youths kicking a football at parked cars", record
    app.check_budget("first patrol observation (ASB youths)", 8)


def pick_closed(app, text):
    """A closed picker with focus: typing opens its search with the letters
    typed, Enter chooses the first match and focus moves on to the next empty
    required field."""
    app.type(text)
    app.wait_popup(True, f"the picker to open on “{text}”")
    app.settle()
    app.key("Return")
    app.wait_popup(False, "the picker to close")
    app.settle()


def chip(app, letter):
    """A chip row with focus: the first letter of an entry no other entry
    shares picks it and moves on."""
    app.key(letter)
    app.settle()


def task_fly_tipping(app):
    """Fly-tipping observation, first of a shift: Flycapture's size, waste
    type and land type are required."""
    start_from_list(app, "fly", PATROL)
    # Focus opens on the empty ward; its pick moves on to the first empty
    # required field after it: the fly-tipping details come right under the
    # category, before the description, and each choice moves on.
    pick_closed(app, "joyden")
    chip(app, "c")                  # Car boot load or less (the only C)
    pick_closed(app, "constr")      # Construction or demolition (ten types: a picker)
    chip(app, "h")                  # Highway (eight land types: chips, one H)
    app.type("Builders bags and a sofa in the lay-by")
    record = save(app, 1)
    assert field(record, "category") == "fly_tipping", record
    assert field(record, "fly_tip.size") == "car_boot_or_less", record
    assert field(record, "fly_tip.waste_type") == "construction_demolition", record
    assert field(record, "fly_tip.land_type") == "highway", record
    assert field(record, "ward") == "joydens_wood", record
    assert field(record, "description") == "Builders bags and a sofa in the lay-by", record
    app.check_budget("fly-tipping observation (size, waste and land type)", 10)


def task_s59_with_driver(app):
    """Section 59 warning with a driver, from the registration mark. What is
    typed about the incident and the driver (circumstances, name) is counted
    apart: the budget is for everything else."""
    start_from_list(app, "AB12CDE", S59)
    # Focus opens on the empty ward; its pick moves on to the offence.
    pick_closed(app, "joyden")
    # Both offences start with R: Right picks the second, Enter keeps it and
    # moves on.
    app.key("Right", "Return")      # s34, driving off-road
    app.settle()
    app.key("Return")               # is causing (the first chip)
    app.settle()
    app.type("Riding an off-road bike across the playing field", detail=True)
    app.key("ctrl+s")
    app.settle()
    # Seven vehicle types: chips. Two start with O: the first O is the
    # off-road bike, Enter keeps it and moves on.
    app.key("o", "Return")
    app.settle()
    app.key("Return")               # the driver (the first chip)
    app.settle()
    app.type("Rider of the bike", detail=True)
    record = save(app, 1)
    assert record["kind"] == "s59_warning", record
    assert field(record, "vehicle.vrm") == "AB12CDE", record
    assert field(record, "vehicle.type") == "off_road_bike", record
    assert field(record, "offence") == "rta_s34", record
    assert field(record, "alarm_distress") == "is_causing", record
    assert field(record, "warned_party") == "driver", record
    assert field(record, "driver.name") == "Rider of the bike", record
    assert field(record, "ward") == "joydens_wood", record
    # The mark was looked up as soon as the editor opened.
    assert field(record, "prior_check.checked_at"), record
    app.check_budget("Section 59 warning with a driver", 20)


def task_second_observation(app):
    """Second observation of a shift: ward and place remembered."""
    start_from_list(app, "asb", PATROL)
    app.type("Group back at the bus shelter")
    record = save(app, 1)
    assert field(record, "category") == "asb_youths", record
    assert field(record, "ward") == "town", record
    assert field(record, "place") == "Market Place", record
    assert field(record, "description") == "Group back at the bus shelter", record
    app.check_budget("second observation (ward and place remembered)", 5)


def focus_after_save(app):
    """After a save, focus is back on the list: typing starts the next record
    at once, and the new editor takes typing in its first empty field."""
    for i, text in enumerate(["First group by the war memorial", "Second group by the library"]):
        start_from_list(app, "asb", PATROL)
        app.type(text)
        save(app, i + 1)
    descriptions = sorted(field(r, "description") for r in app.records())
    assert descriptions == ["First group by the war memorial", "Second group by the library"], descriptions


def focus_after_escape(app):
    """Esc on the list (nothing selected), and Esc out of an editor, leave the
    keyboard working: Ctrl+1..4 and Ctrl+N each open their editor, no click."""
    # An empty list: closing an editor once left focus nowhere.
    for chord, title in [("ctrl+n", "New patrol observation"), ("ctrl+2", "New Section 59 warning")]:
        app.key(chord)
        app.wait_title(f"{title} – Beatbook")
        app.key("Escape")
        app.wait_title("Beatbook")
    app.key("Escape")
    app.settle()
    app.key("ctrl+3")
    app.wait_title("New VAWG walk – Beatbook")
    app.key("Escape")
    app.wait_title("Beatbook")

    # A list with a record, nothing selected.
    app.add_record("patrol_observation", {"fields": {"category": "street_drinking", "ward": "town",
                                                     "description": "Seeded earlier"}})
    app.stop()
    app.start()
    titles = ["New patrol observation", "New Section 59 warning", "New VAWG walk",
              "New engagement event", "New patrol observation"]
    for chord, title in zip(["ctrl+1", "ctrl+2", "ctrl+3", "ctrl+4", "ctrl+n"], titles):
        app.key("Escape")
        app.settle()
        app.key(chord)
        app.wait_title(f"{title} – Beatbook")
        app.key("Escape")
        app.wait_title("Beatbook")


def focus_on_repeat(app):
    """Repeat last (Ctrl+Shift+N) opens with focus on the first empty required
    field: the description, everything else carried over."""
    start_from_list(app, "drug", PATROL)
    app.type("Exchange seen from the car park")
    save(app, 1)
    app.key("ctrl+shift+n")
    app.wait_title(PATROL)
    app.type("Same pair back an hour later")
    save(app, 2)
    records = app.records()
    latest = [r for r in records if field(r, "description") == "Same pair back an hour later"]
    assert len(latest) == 1, records
    assert field(latest[0], "category") == "drug_dealing", latest
    assert field(latest[0], "ward") == "town", latest


def every_picker(app):
    """Every required picker of every kind by keyboard alone: Enter or a typed
    letter opens it with the focus in its search, typing filters, Enter
    chooses and moves on, Esc closes it and gives the focus back."""
    # Patrol observation: the ward's picker opened by Enter, then Esc.
    app.key("ctrl+1")
    app.wait_title(PATROL)
    app.key("Return")
    app.wait_popup(True, "the ward's picker to open on Enter")
    app.key("Escape")
    app.wait_popup(False, "Esc to close the ward's picker")
    app.settle()
    # The focus is back on the ward: Enter opens it again, typing filters.
    app.key("Return")
    app.wait_popup(True, "the ward's picker to open again")
    pick(app, "swans")
    # The category: typing on the closed picker opens its search.
    pick_closed(app, "fly")
    # The fly-tipping details now follow the category: size (chips), waste
    # type (a picker of ten), land type (chips).
    chip(app, "t")                  # Transit van load, Tipper lorry load: the first T
    app.key("Return")
    app.settle()
    pick_closed(app, "tyre")
    chip(app, "f")                  # Footpath or bridleway
    app.type("Tyres dumped by the stile")
    save(app, 1)

    # Engagement event: the event type, a picker of nine.
    app.key("ctrl+4")
    app.wait_title(r"New engagement event – Beatbook")
    # The ward saved a moment ago is filled in: focus opens on the type.
    pick_closed(app, "brief")       # Street briefing
    app.type("Briefing at the shops")
    app.key("Tab")
    app.settle()
    app.type("12")
    save(app, 2)

    records = {r["kind"]: r for r in app.records()}
    patrol = records["patrol_observation"]
    assert field(patrol, "ward") == "swanscombe", patrol
    assert field(patrol, "category") == "fly_tipping", patrol
    assert field(patrol, "fly_tip.size") == "transit_van_load", patrol
    assert field(patrol, "fly_tip.waste_type") == "tyres", patrol
    assert field(patrol, "fly_tip.land_type") == "footpath_bridleway", patrol
    event = records["engagement_event"]
    assert field(event, "ward") == "swanscombe", event
    assert field(event, "event_type") == "street_briefing", event
    assert field(event, "title") == "Briefing at the shops", event
    assert field(event, "attendees") == 12, event


TASKS = {
    "first-observation": task_first_observation,
    "fly-tipping": task_fly_tipping,
    "s59-with-driver": task_s59_with_driver,
    "second-observation": task_second_observation,
    "focus-after-save": focus_after_save,
    "focus-after-escape": focus_after_escape,
    "focus-on-repeat": focus_on_repeat,
    "every-picker": every_picker,
}

# Tasks that start from a shift already under way: the editor remembers the
# ward and place of the earlier record.
SHIFT_UNDER_WAY = {"second-observation", "focus-after-save", "focus-after-escape", "focus-on-repeat"}


def main(argv):
    if len(argv) != 5 or argv[3] not in TASKS:
        print(__doc__, file=sys.stderr)
        return 2
    _, app_path, cli_path, task, size = argv
    try:
        app = App(app_path, cli_path, size)
        if task in SHIFT_UNDER_WAY:
            app.remember_place("town", "Market Place")
        with app:
            TASKS[task](app)
    except (BudgetError, AssertionError) as error:
        print(f"FAIL: {task} at {size}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
