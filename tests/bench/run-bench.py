#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Beatbook's benchmarks, side by side with the peer (PouchDB).

Prints one JSON line per figure on standard output (progress on standard
error). Asserts nothing about time: a benchmark reports, it never fails a
test suite. Run from the source tree after `ninja -C _build`:

    python3 tests/bench/run-bench.py --build _build

Figures (every one can be left out, see --help):
  import    beatbook-cli import of the generated data (records/s)
  save      durable save p50/p99 at --big records
  page      the list's first page (count + 50 rows) p50/p99 at --big
  search    random word prefixes: the first 50 rows p50/p99 at --big (and
            the next page, and count + 50 rows as before keyset paging);
            the Review view's count up to its cap of 1,000 and the full
            count before it, for prefixes, wards and priorities
  app       the app's start to its first frame under Xvfb, at --n and --big,
            and its resident memory then (empty store as the reference)
  sync      push, pull and no-op at --n between devices and the real server
            on loopback, with the peak RSS of the cli and of the server;
            interleaved --rounds with the peer when node is there
  crowd     --devices devices syncing at once for --seconds (records/s,
            p50/p99 of one sync, failures), once for each count of users
            in --crowd-users: 1 is the worst case (every device pulls what
            all the others push), 10 a partnership's shift (ten devices a
            user)
  peer      PouchDB 9 -> express-pouchdb (tests/bench/peer), the same N,
            and the ratios Beatbook / peer
"""

import argparse
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))

# The words of the generated descriptions: 30 common ones and 3,000 made of
# syllables, drawn with a Zipf law as words are in real notes, so a search
# for a word prefix matches anything from a handful of records to most of
# them. bench-device searches prefixes of words picked evenly from the list.
COMMON = ("youths gathering bikes rubble mattress bags shouting cans graffiti fire "
          "smoke car cruising music dispersed advised residents complained evening "
          "morning wall bench shop alley gate fence broken lighting dark path").split()
SYLLABLES = ("ka ro mi te su na lo vi de pa gu ri mo ta se ni bo fa le ku "
             "dra ster plin gor mab wen tho lis ven cor").split()


def vocabulary(seed=7, size=3000):
    rng = random.Random(seed)
    words, seen = list(COMMON), set(COMMON)
    while len(words) < len(COMMON) + size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


WORDS = vocabulary()
# Zipf weights: the k-th word is 1/k as likely as the first.
ZIPF = [1.0 / (k + 1) for k in range(len(WORDS))]
WARDS = ["bean_village_park", "brent", "bridge", "burnham", "darenth", "ebbsfleet",
         "greenhithe_knockhall", "heath", "joydens_wood", "longfield_new_barn_southfleet",
         "maypole_leyton_cross", "newtown", "princes", "stone_castle", "stone_house",
         "swanscombe", "temple_hill", "town", "west_hill", "wilmington_sutton_at_hone_hawley"]
PLACES = ["Crossways Boulevard", "Dartford Heath", "Joyce Green Lane", "Darenth Country Park",
          "Central Park", "War Memorial", "Westgate car park", "High Street", "Market Place",
          "Lowfield Street", "Cotton Lane", "Birchwood Road"]
CATEGORIES = ["asb_youths", "nuisance_vehicle", "off_road_bike", "drug_dealing",
              "street_drinking", "criminal_damage", "deliberate_fire"]
PASSWORD = "benchmark-password"


def log(message):
    print("[bench] " + message, file=sys.stderr, flush=True)


def emit(figure, **values):
    values = {"figure": figure, **values}
    print(json.dumps(values), flush=True)
    return values


def generate(path, n, seed=15):
    """n patrol observations of about 535 bytes, as JSON Lines."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            description = " ".join(rng.choices(WORDS, weights=ZIPF, k=40)) + " ref%d" % i
            record = {
                "kind": "patrol_observation",
                "occurred_at": "20%02d-%02d-%02dT%02d:%02d:%02dZ" % (
                    rng.randint(20, 25), rng.randint(1, 12), rng.randint(1, 28),
                    rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
                "priority": rng.randint(1, 4),
                "fields": {
                    "ward": rng.choice(WARDS),
                    "place": rng.choice(PLACES),
                    "category": rng.choice(CATEGORIES),
                    "description": description,
                    "people_involved": rng.randint(0, 12),
                },
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


class Tools:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.cli = os.path.join(self.build, "src", "cli", "beatbook-cli")
        self.server = os.path.join(self.build, "src", "server", "beatbook-server")
        self.app = os.path.join(self.build, "src", "app", "beatbook")
        self.device = os.path.join(self.build, "tests", "bench", "bench-device")
        self.env = dict(os.environ)
        # The token in a file beside the data, not in someone's keyring.
        self.env["BEATBOOK_NO_KEYRING"] = "1"
        self.env["GSETTINGS_BACKEND"] = "memory"
        self.env["GSETTINGS_SCHEMA_DIR"] = os.path.join(self.build, "data")
        self.env["GTK_A11Y"] = "none"
        self.env["ADW_DISABLE_PORTAL"] = "1"
        self.env.pop("G_MESSAGES_DEBUG", None)
        for path in (self.cli, self.device):
            if not os.access(path, os.X_OK):
                sys.exit("run-bench: %s is missing: build first (ninja -C %s)" % (path, build))

    def run(self, args, stdin=None, check=True):
        """Runs a command; returns (wall seconds, stdout, stderr, exit status)."""
        start = time.monotonic()
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env, text=True)
        out, err = proc.communicate(stdin)
        wall = time.monotonic() - start
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(args), proc.returncode, err.strip()))
        return wall, out, err, proc.returncode

    def run_rss(self, args, stdin=None, check=True):
        """Runs a command; returns (wall seconds, peak RSS MB, stdout, rc)."""
        start = time.monotonic()
        proc = subprocess.Popen(args, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env, text=True)
        out, err = [], []
        readers = [threading.Thread(target=lambda: out.append(proc.stdout.read())),
                   threading.Thread(target=lambda: err.append(proc.stderr.read()))]
        for reader in readers:
            reader.start()
        if stdin:
            proc.stdin.write(stdin)
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join()
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(args), proc.returncode, "".join(err).strip()))
        return wall, usage.ru_maxrss / 1024.0, "".join(out), proc.returncode


class Server:
    """beatbook-server on loopback, on a free port, with a supervisor and
    n_officers officers (officer1, officer2, ...)."""

    def __init__(self, tools, directory, n_officers=1):
        self.tools = tools
        self.db = os.path.join(directory, "server.db")
        users = [("officer%d" % (i + 1), "officer", "PC Bench %d" % (i + 1)) for i in range(n_officers)]
        for username, role, name in users + [("sergeant", "supervisor", "Sgt Bench")]:
            tools.run([tools.server, "user", "add", "--db", self.db, "--username", username,
                       "--role", role, "--display-name", name], stdin=PASSWORD + "\n")
        self.proc = subprocess.Popen([tools.server, "serve", "--db", self.db,
                                      "--address", "127.0.0.1", "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=tools.env, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise RuntimeError("the server did not start: %r" % line)
        self.url = line[len("listening on "):]

    def stop(self):
        """SIGTERM; returns the server's peak RSS in MB (and keeps the CPU
        seconds it used in self.cpu_s)."""
        self.proc.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = 0
        self.cpu_s = usage.ru_utime + usage.ru_stime
        return usage.ru_maxrss / 1024.0


def sign_in(tools, server, data_dir, username):
    tools.run([tools.cli, "--data-dir", data_dir, "login", "--server", server.url,
               "--username", username, "--device-name", os.path.basename(data_dir)],
              stdin=PASSWORD + "\n")


def sync_round(tools, work, jsonl, n, round_number):
    """Push n records from one device, pull them to another, then no-op."""
    directory = tempfile.mkdtemp(prefix="round-", dir=work)
    server = Server(tools, directory)
    laptop = os.path.join(directory, "laptop")
    office = os.path.join(directory, "office")
    try:
        sign_in(tools, server, laptop, "officer1")
        sign_in(tools, server, office, "sergeant")
        tools.run([tools.cli, "--data-dir", laptop, "import", jsonl])

        wall, rss, out, _ = tools.run_rss([tools.cli, "--data-dir", laptop, "sync"])
        push = emit("push", round=round_number, records=n, wall_s=round(wall, 3),
                    records_per_s=round(n / wall), client_peak_rss_mb=round(rss, 1),
                    says=out.strip())
        wall, rss, out, _ = tools.run_rss([tools.cli, "--data-dir", office, "sync"])
        pull = emit("pull", round=round_number, records=n, wall_s=round(wall, 3),
                    records_per_s=round(n / wall), client_peak_rss_mb=round(rss, 1),
                    says=out.strip())
        _, _, out, _ = tools.run_rss([tools.device, "sync", laptop, "--runs", "5"])
        noop = json.loads(out.strip().splitlines()[-1])
        wall, rss, out, _ = tools.run_rss([tools.cli, "--data-dir", laptop, "sync"])
        noop = emit("noop", round=round_number, records=n, first_ms=noop["first_ms"],
                    p50_ms=noop["p50_ms"], max_ms=noop["max_ms"],
                    cli_process_ms=round(wall * 1000, 1), says=out.strip())
    finally:
        server_rss = server.stop()
    emit("server_rss", round=round_number, records=n, peak_rss_mb=round(server_rss, 1))
    shutil.rmtree(directory, ignore_errors=True)
    return {"push": push["records_per_s"], "pull": pull["records_per_s"],
            "noop_ms": noop["first_ms"], "client_rss_mb": max(push["client_peak_rss_mb"],
                                                              pull["client_peak_rss_mb"]),
            "server_rss_mb": server_rss}


class Peer:
    def __init__(self, work, source):
        self.node = shutil.which("node")
        self.npm = shutil.which("npm")
        self.dir = os.path.join(work, "peer")
        self.ready = False
        if self.node is None or self.npm is None:
            log("node or npm is not installed: the peer (PouchDB) is left out")
            emit("peer", status="left out: node or npm is not installed")
            return
        shutil.copytree(source, self.dir)
        for name in os.listdir(self.dir):
            os.chmod(os.path.join(self.dir, name), 0o644)
        log("installing the peer's packages (npm ci)")
        result = subprocess.run([self.npm, "ci", "--no-audit", "--no-fund"], cwd=self.dir,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            log("npm ci failed: the peer is left out\n" + result.stderr[-2000:])
            emit("peer", status="left out: npm ci failed")
            return
        self.ready = True

    def round(self, n, round_number):
        result = subprocess.run([self.node, "bench.js", str(n)], cwd=self.dir,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            log("the peer failed: " + result.stderr[-2000:])
            emit("peer", round=round_number, status="failed")
            return None
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        emit("peer", round=round_number, records=n,
             push_records_per_s=figures["push_docs_per_s"]["default"],
             push_b500_records_per_s=figures["push_docs_per_s"]["batch500_limit10"],
             pull_records_per_s=figures["pull_docs_per_s"],
             noop_ms=figures["noop_push_ms"], noop_more_ms=figures["noop_push_more_ms"],
             client_peak_rss_mb=figures["peak_rss_mb"]["client"],
             server_peak_rss_mb=figures["peak_rss_mb"]["server"])
        return {"push": figures["push_docs_per_s"]["default"],
                "push_b500": figures["push_docs_per_s"]["batch500_limit10"],
                "pull": figures["pull_docs_per_s"], "noop_ms": figures["noop_push_ms"],
                "client_rss_mb": figures["peak_rss_mb"]["client"],
                "server_rss_mb": figures["peak_rss_mb"]["server"]}


def make_store(tools, work, jsonl, n, name):
    data_dir = os.path.join(work, name)
    tools.run([tools.cli, "--data-dir", data_dir, "identity", "--name", "PC Bench",
               "--role", "officer"])
    wall, rss, out, _ = tools.run_rss([tools.cli, "--data-dir", data_dir, "import", jsonl])
    emit("import", records=n, wall_s=round(wall, 3), records_per_s=round(n / wall),
         peak_rss_mb=round(rss, 1), says=out.strip())
    return data_dir


def app_first_frame(tools, data_dir, records, runs=3):
    if shutil.which("Xvfb") is None or shutil.which("dbus-run-session") is None or \
       not os.access(tools.app, os.X_OK):
        emit("app_first_frame", records=records, status="left out: Xvfb, dbus-run-session or the app is missing")
        return
    display = ":%d" % random.randint(200, 900)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env = dict(tools.env, DISPLAY=display, BEATBOOK_BENCH_FIRST_FRAME="1")
    times, rss = [], []
    try:
        for _ in range(runs):
            start = time.monotonic()
            result = subprocess.run(["dbus-run-session", "--", tools.app, "--data-dir", data_dir],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True, timeout=300)
            line = [l for l in result.stdout.splitlines() if l.startswith("first-frame")]
            if not line:
                emit("app_first_frame", records=records, status="no first frame reported")
                return
            times.append((time.monotonic() - start) * 1000)
            rss.append(int(line[0].split("rss_kb=")[1]) / 1024.0)
    finally:
        xvfb.terminate()
        xvfb.wait()
    emit("app_first_frame", records=records, runs=runs, p50_ms=round(statistics.median(times), 1),
         all_ms=[round(t, 1) for t in times], rss_mb=round(statistics.median(rss), 1),
         note="process start to the first painted frame, including a private D-Bus session")


def crowd(tools, work, n_devices, seconds, per_sync, n_users=1):
    """n_devices devices of n_users officers, each adding per_sync records
    and syncing in a loop; every device pulls what the others of its user
    push."""
    directory = tempfile.mkdtemp(prefix="crowd-", dir=work)
    server = Server(tools, directory, n_officers=n_users)
    batch = os.path.join(directory, "batch.jsonl")
    generate(batch, per_sync, seed=99)
    devices = []
    log("signing in %d devices of %d user(s)" % (n_devices, n_users))
    for i in range(n_devices):
        data_dir = os.path.join(directory, "device%03d" % i)
        sign_in(tools, server, data_dir, "officer%d" % (i % n_users + 1))
        devices.append(data_dir)

    latencies, failures, pushed = [], [], [0]
    lock = threading.Lock()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    deadline = start + seconds

    def device_loop(data_dir):
        while time.monotonic() < deadline:
            tools.run([tools.cli, "--data-dir", data_dir, "import", batch], check=False)
            t0 = time.monotonic()
            wall, out, err, rc = tools.run([tools.cli, "--data-dir", data_dir, "sync"], check=False)
            with lock:
                if rc != 0:
                    failures.append(err.strip()[-200:])
                else:
                    latencies.append((time.monotonic() - t0) * 1000)
                    if out.startswith("pushed "):
                        pushed[0] += int(out.split()[1].rstrip(","))

    threads = [threading.Thread(target=device_loop, args=(d,)) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    server_rss = server.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Every process waited for since the start: the devices' and the server's.
    all_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else None
    emit("crowd", devices=n_devices, users=n_users, seconds=round(elapsed, 1),
         syncs=len(latencies) + len(failures),
         failures=len(failures), records_pushed=pushed[0],
         records_per_s=round(pushed[0] / elapsed), p50_ms=round(statistics.median(latencies), 1) if latencies else None,
         p99_ms=round(p99, 1) if p99 else None, server_peak_rss_mb=round(server_rss, 1),
         server_cpu_s=round(server.cpu_s, 1), devices_cpu_s=round(all_cpu - server.cpu_s, 1),
         load_1min=round(os.getloadavg()[0], 2),
         first_failures=sorted(set(failures))[:3])
    shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "_build"), help="the meson build directory")
    parser.add_argument("--n", type=int, default=100000, help="records for sync and the smaller app figure")
    parser.add_argument("--big", type=int, default=1000000, help="records for save, page, search and app")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved sync rounds, Beatbook then the peer")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--crowd-users", default="1,10",
                        help="comma-separated: a crowd run for each count of users the devices are spread over")
    parser.add_argument("--only", default="store,app,sync,crowd,peer",
                        help="comma-separated: store, app, sync, crowd, peer")
    parser.add_argument("--work", default=None, help="a folder for the data (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data afterwards")
    parser.add_argument("--big-dir", default=None,
                        help="a data directory holding --big records made by an earlier run "
                             "(--keep), instead of importing them again")
    args = parser.parse_args()

    only = set(args.only.split(","))
    tools = Tools(args.build)
    work = args.work or tempfile.mkdtemp(prefix="beatbook-bench-")
    os.makedirs(work, exist_ok=True)
    log("data in " + work)
    emit("machine", cpus=os.cpu_count(), load_1min=round(os.getloadavg()[0], 2),
         kernel=os.uname().release, cpu=cpu_model())

    try:
        small = os.path.join(work, "small.jsonl")
        big = os.path.join(work, "big.jsonl")
        log("generating %d records" % args.n)
        generate(small, args.n)

        if "store" in only or "app" in only:
            if args.big_dir:
                big_dir = args.big_dir
            else:
                log("generating and importing %d records" % args.big)
                generate(big, args.big, seed=16)
                big_dir = make_store(tools, work, big, args.big, "big")
                os.remove(big)
            if "store" in only:
                words_file = os.path.join(work, "words.txt")
                with open(words_file, "w", encoding="utf-8") as out:
                    out.write("\n".join(WORDS) + "\n")
                _, _, out, _ = tools.run_rss([tools.device, "store", big_dir, "--words", words_file])
                for line in out.strip().splitlines():
                    print(line, flush=True)
                _, _, out, _ = tools.run_rss([tools.device, "review", big_dir, "--words", words_file])
                for line in out.strip().splitlines():
                    print(line, flush=True)
            if "app" in only:
                empty_dir = os.path.join(work, "empty")
                tools.run([tools.cli, "--data-dir", empty_dir, "identity", "--name", "PC Bench",
                           "--role", "officer"])
                small_dir = make_store(tools, work, small, args.n, "small")
                for data_dir, records in ((empty_dir, 0), (small_dir, args.n), (big_dir, args.big)):
                    app_first_frame(tools, data_dir, records)

        peer = Peer(work, os.path.join(HERE, "peer")) if "peer" in only and "sync" in only else None
        ours, theirs = [], []
        if "sync" in only:
            for round_number in range(1, args.rounds + 1):
                log("sync round %d: Beatbook" % round_number)
                ours.append(sync_round(tools, work, small, args.n, round_number))
                if peer is not None and peer.ready:
                    log("sync round %d: the peer" % round_number)
                    result = peer.round(args.n, round_number)
                    if result is not None:
                        theirs.append(result)
            summary(ours, theirs)

        if "crowd" in only:
            for n_users in (int(n) for n in args.crowd_users.split(",")):
                log("%d devices of %d user(s) for %d s" % (args.devices, n_users, args.seconds))
                crowd(tools, work, args.devices, args.seconds, per_sync=20, n_users=n_users)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def summary(ours, theirs):
    def median(rows, key):
        return statistics.median(row[key] for row in rows) if rows else None

    for key, better in (("push", "higher"), ("pull", "higher"), ("noop_ms", "lower"),
                        ("client_rss_mb", "lower"), ("server_rss_mb", "lower")):
        mine, peer = median(ours, key), median(theirs, key)
        ratio = None
        if mine and peer:
            ratio = round(mine / peer if better == "higher" else peer / mine, 2)
        emit("summary", what=key, beatbook=mine, peer=peer, times_better=ratio,
             rounds=len(ours), peer_rounds=len(theirs))


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


if __name__ == "__main__":
    main()
