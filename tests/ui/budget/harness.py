# SPDX-License-Identifier: GPL-3.0-or-later
"""Drive the real Beatbook binary by keyboard and count what it costs.

The app runs on the current X display (the UI suite runs under xvfb-run) with
its own data directory; xdotool sends real key events through XTEST, exactly
as a keyboard would, never widget calls. Every key chord and every typed
field is one interaction. Waits are on conditions (the window's title, the
records beatbook-cli reads from the same data directory), each with a
timeout, so a loaded machine makes a test slower, not flaky.
"""

import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

# Long enough for a 2-core machine shared by several builds.
TIMEOUT = float(os.environ.get("BEATBOOK_BUDGET_TIMEOUT", "60"))
SIZES = {"wide": (1366, 768), "narrow": (360, 640)}


class BudgetError(Exception):
    pass


def skip(reason):
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(77)


class App:
    """One run of the app: start, drive, check, stop."""

    def __init__(self, app, cli, size, role="officer", name="PC 4521"):
        if not os.environ.get("DISPLAY"):
            skip("no X display (run the UI suite under xvfb-run)")
        if shutil.which("xdotool") is None:
            skip("xdotool is not installed (.ci/packages lists it)")
        self.app = app
        self.cli = cli
        self.width, self.height = SIZES.get(size, None) or tuple(int(v) for v in size.split("x"))
        self.size = f"{self.width}x{self.height}"
        self.tmp = tempfile.TemporaryDirectory(prefix="beatbook-budget-")
        self.data_dir = os.path.join(self.tmp.name, "data")
        self.interactions = 0
        self.details = 0
        self.log = []
        self.process = None
        self.window = None
        self.run_cli("identity", "--name", name, "--role", role)

    # Setting up

    def run_cli(self, *args):
        result = subprocess.run([self.cli, "--data-dir", self.data_dir, *args],
                                capture_output=True, text=True, timeout=TIMEOUT)
        if result.returncode != 0:
            raise BudgetError(f"beatbook-cli {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def add_record(self, kind, record):
        """Seeds a record as if saved earlier (not counted)."""
        path = os.path.join(self.tmp.name, "seed.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(record, f)
        self.run_cli("add", kind, "--json", path)

    def remember_place(self, ward, place, minutes_ago=5):
        """Sets the ward and place the editor remembers from the shift's earlier
        record (what its last save stores), before the app starts. A place
        saved more than an hour ago is offered, not filled in."""
        saved_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60 * minutes_ago))
        stores = glob.glob(os.path.join(self.data_dir, "users", "*", "beatbook.db"))
        if len(stores) != 1:
            raise BudgetError(f"expected one user's store, found {stores}")
        with sqlite3.connect(stores[0]) as db:
            db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                           [("editor.last_ward", ward), ("editor.last_place", place),
                            ("editor.last_place_at", saved_at)])
        db.close()

    def start(self):
        env = dict(os.environ)
        self.stderr = open(os.path.join(self.tmp.name, "app.log"), "w+", encoding="utf-8")
        self.process = subprocess.Popen([self.app, "--data-dir", self.data_dir],
                                        env=env, stdout=self.stderr, stderr=subprocess.STDOUT)
        self.window = self._find_window()
        # No window manager under Xvfb: the window is placed at 0,0 and sized here.
        self._xdotool("windowsize", self.window, str(self.width), str(self.height))
        self.wait(lambda: self._geometry() == (self.width, self.height), "the window to take its size")
        self._xdotool("windowfocus", "--sync", self.window)
        self.wait_title("Beatbook")
        # Keys go to the window holding the X input focus: wait until it is
        # the app's (or one of its children), then for the app to handle its
        # focus change before the first key is sent.
        self.wait(self._has_focus, "the window to take the keyboard focus")
        self.settle()
        self.base_windows = self.popups()
        self.started = time.monotonic()
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self):
        self.stop()
        self.tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, kind, value, traceback):
        if value is not None:
            self.screenshot_on_failure()
            self.print_app_log()
        self.close()
        return False

    # Sending input: each call is one counted interaction.

    def key(self, *chords):
        """Presses each chord ("Return", "ctrl+s"): one interaction each."""
        for chord in chords:
            self._check_alive()
            self._xdotool("key", "--delay", "30", chord)
            self.interactions += 1
            self.log.append(chord)

    def type(self, text, detail=False):
        """Types one field's text: one interaction (or one typed detail)."""
        self._check_alive()
        self._xdotool("type", "--delay", "25", text)
        if detail:
            self.details += 1
        else:
            self.interactions += 1
        self.log.append(repr(text))

    # Waiting (never counted)

    def wait(self, condition, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise BudgetError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.05)

    def title(self):
        result = subprocess.run(["xdotool", "getwindowname", self.window],
                                capture_output=True, text=True, timeout=TIMEOUT)
        return result.stdout.strip()

    def wait_title(self, pattern):
        """Waits until the window's title matches @pattern (a regular expression
        matched whole, whatever the capitalisation: titles are in header case,
        "New Patrol Observation"): it names the open editor, or is "Beatbook"
        on the list."""
        regex = re.compile(pattern, re.IGNORECASE)
        return self.wait(lambda: regex.fullmatch(self.title()),
                         f"the window title to read “{pattern}” (it reads “{self.title()}”)")

    def settle(self):
        """Lets the app handle what was sent: a round trip through the X server
        and a short pause for GTK's idle work (popovers, focus)."""
        self._xdotool("getwindowname", self.window)
        time.sleep(0.3)

    def popups(self):
        """How many of the app's windows are shown: a popover (a picker's
        list) is a window of its own under X11."""
        result = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                 str(self.process.pid), ""],
                                capture_output=True, text=True, timeout=TIMEOUT)
        return len(result.stdout.split())

    def wait_popup(self, shown, what):
        """Waits until a popover has opened (@shown) or every one has closed."""
        base = self.base_windows
        return self.wait(lambda: (self.popups() > base) == shown, what)

    def records(self):
        return json.loads(self.run_cli("list", "--json"))

    def wait_records(self, count):
        return self.wait(lambda: (lambda r: r if len(r) >= count else None)(self.records()),
                         f"{count} saved record(s)")

    # Reporting

    def elapsed(self):
        return time.monotonic() - self.started

    def check_budget(self, task, budget, details_budget=None):
        line = (f"{task} at {self.size}: {self.interactions} interactions (budget {budget})"
                + (f", {self.details} typed details" if self.details else "")
                + f", {self.elapsed():.1f} s: {' '.join(self.log)}")
        print(line)
        if self.interactions > budget:
            raise BudgetError(f"over budget: {line}")

    def screenshot(self, path):
        subprocess.run(["import", "-window", "root", "-crop",
                        f"{self.width}x{self.height}+0+0", "+repage", path],
                       check=False, timeout=TIMEOUT)

    def screenshot_on_failure(self):
        directory = os.environ.get("MESON_BUILD_ROOT") or os.environ.get("G_TEST_BUILDDIR") or self.tmp.name
        path = os.path.join(directory, f"budget-failure-{os.getpid()}.png")
        if shutil.which("import"):
            self.screenshot(path)
            print(f"screen at failure: {path}", file=sys.stderr)

    def print_app_log(self):
        if getattr(self, "stderr", None) is not None:
            self.stderr.flush()
            self.stderr.seek(0)
            text = self.stderr.read()
            if text.strip():
                print("app output:\n" + text, file=sys.stderr)

    # Internals

    def _check_alive(self):
        if self.process is not None and self.process.poll() is not None:
            raise BudgetError(f"the app exited with status {self.process.returncode}")

    def _xdotool(self, *args):
        result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=TIMEOUT)
        if result.returncode != 0:
            raise BudgetError(f"xdotool {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def _find_window(self):
        def search():
            result = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                     str(self.process.pid), "--name", "Beatbook"],
                                    capture_output=True, text=True, timeout=TIMEOUT)
            ids = result.stdout.split()
            return ids[0] if ids else None
        return self.wait(search, "the app's window")

    def _has_focus(self):
        result = subprocess.run(["xdotool", "getwindowfocus", "-f"],
                                capture_output=True, text=True, timeout=TIMEOUT)
        focus = result.stdout.strip()
        if focus == self.window:
            return True
        self._xdotool("windowfocus", "--sync", self.window)
        return False

    def _geometry(self):
        out = self._xdotool("getwindowgeometry", "--shell", self.window)
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return int(values.get("WIDTH", 0)), int(values.get("HEIGHT", 0))


def field(record, path):
    """A field of a record from `beatbook-cli list --json` by dotted path."""
    value = record.get("fields", {})
    for part in path.split("."):
        if isinstance(value, list):
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value
