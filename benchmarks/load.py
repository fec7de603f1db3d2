"""Load and isolation on one server: N simulated users, each its own config, for a while.

Launches ``python app.py`` on a free port (as a user would), then N gradio_client
users (threads, one ``Client`` = one session each) each start a DIFFERENT config
(data set, objective and seed vary, so each run is identifiable), poll ``/status``
for ``--seconds``, stop and reset their run, and leave. It checks that

* every status a user ever saw named its own data set, objective and seed, and
* the server's resident memory (VmRSS from /proc/PID/status) after they leave is
  within ``--tolerance`` (10 %) of its level before they came,

prints the figures and a PASS/FAIL line (exit code 1 on FAIL). The baseline is
taken after one warm-up visitor has trained for a few seconds and left: the first
run imports and caches code (plotting, probes, torch kernels) that stays loaded
for every later visitor, and that is not a leak. The cold figure is printed too.

    python benchmarks/load.py [--users 8] [--seconds 60] [--tolerance 0.10]

The server is started with GANLAB_MAX_JOBS_CPU=N so that all N users train at
once (the default cap on a CPU is 2; a user over the cap would be told "busy").
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_server import serve_app  # noqa: E402

DATASETS = ("ring8", "grid25", "line", "two-gaussians", "ring", "blobs", "spiral", "moons")
OBJECTIVES = ("nonsaturating", "lsgan", "hinge", "wgan-gp", "minimax", "wgan")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def user_config(i: int) -> dict:
    """User i's config: its own data set, objective and seed (small models: many share 2 CPUs)."""
    return dict(
        dataset=DATASETS[i % len(DATASETS)],
        objective=OBJECTIVES[i % len(OBJECTIVES)],
        seed=1000 + i,
        width=32,
        depth=2,
        z_dim=2,
        batch_size=64,
        g_lr=1e-3,
        d_lr=1e-3,
        steps=200_000,
        device="cpu",
    )


@dataclass
class UserResult:
    index: int
    config: dict
    polls: int = 0
    foreign: list = field(default_factory=list)  # statuses that were not this user's config
    errors: list = field(default_factory=list)
    last_step: int = 0
    states: set = field(default_factory=set)


def run_user(url: str, i: int, seconds: float, start_barrier: threading.Barrier, out: UserResult) -> None:
    from gradio_client import Client

    cfg = out.config
    want = (cfg["dataset"], cfg["objective"], cfg["seed"])
    client = None
    try:
        client = Client(url, verbose=False)
        start_barrier.wait(120)
        client.predict(**cfg, api_name="/train")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            s = client.predict(api_name="/status")
            out.polls += 1
            out.states.add(s.get("state"))
            out.last_step = max(out.last_step, int(s.get("step", 0)))
            if (s.get("dataset"), s.get("objective"), s.get("seed")) != want:
                out.foreign.append({k: s.get(k) for k in ("dataset", "objective", "seed", "state")})
            time.sleep(0.5)
        client.predict(api_name="/stop")
        s = client.predict(api_name="/status")
        if (s.get("dataset"), s.get("objective"), s.get("seed")) != want:
            out.foreign.append({k: s.get(k) for k in ("dataset", "objective", "seed", "state")})
        out.states.add(s.get("state"))
        client.predict(api_name="/reset")  # leaving: the run is dropped (a closed tab does this via unload)
    except Exception as exc:  # reported, and the benchmark fails
        out.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if client is not None:
            client.close()


def warm_up(url: str, seconds: float) -> None:
    """One visitor trains briefly and leaves, so lazily loaded code is in the baseline."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    try:
        client.predict(**user_config(0), api_name="/train")
        time.sleep(seconds)
        client.predict(api_name="/stop")
        client.predict(api_name="/reset")
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tolerance", type=float, default=0.10)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before each RSS reading")
    args = parser.parse_args()
    if len({(user_config(i)["dataset"], user_config(i)["objective"]) for i in range(args.users)}) < args.users:
        print("note: more users than distinct (dataset, objective) pairs; seeds still differ")

    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_app(Path(tmp), GANLAB_MAX_JOBS_CPU=str(args.users), OMP_NUM_THREADS="1") as url,
    ):
        pid = serve_app.last_pid
        time.sleep(args.settle)
        cold = rss_mb(pid)
        warm_up(url, 5.0)
        time.sleep(args.settle)
        before = rss_mb(pid)

        results = [UserResult(i, user_config(i)) for i in range(args.users)]
        barrier = threading.Barrier(args.users)
        threads = [
            threading.Thread(target=run_user, args=(url, i, args.seconds, barrier, results[i]))
            for i in range(args.users)
        ]
        peak = before
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, rss_mb(pid))
            time.sleep(1.0)
        gc.collect()
        time.sleep(args.settle)
        after = rss_mb(pid)
        time.sleep(args.settle)
        after_late = rss_mb(pid)

    memory = {"cold": cold, "before": before, "peak": peak, "after": after, "after_late": after_late}
    return 0 if report(args, results, memory) else 1


def report(args: argparse.Namespace, results: list[UserResult], rss: dict[str, float]) -> bool:
    """Print each user's row, the server's memory over the run and the verdict; True if it passed."""
    print(f"users {args.users}, {args.seconds:.0f} s each, server started with GANLAB_MAX_JOBS_CPU={args.users}")
    print(
        f"{'user':>4} {'dataset':<14} {'objective':<14} {'seed':>5} {'polls':>6} {'last step':>10} "
        f"{'foreign':>8}  states / errors"
    )
    for r in results:
        c = r.config
        print(
            f"{r.index:>4} {c['dataset']:<14} {c['objective']:<14} {c['seed']:>5} {r.polls:>6} "
            f"{r.last_step:>10,} {len(r.foreign):>8}  {sorted(s for s in r.states if s)} {r.errors or ''}"
        )
    before, after, after_late = rss["before"], rss["after"], rss["after_late"]
    print(
        f"server RSS (MiB): cold {rss['cold']:.0f}, before users (after a warm-up visitor) {before:.0f}, "
        f"peak {rss['peak']:.0f}, after users left +{args.settle:.0f} s {after:.0f} ({(after - before) / before:+.1%}), "
        f"+{2 * args.settle:.0f} s {after_late:.0f} ({(after_late - before) / before:+.1%})"
    )
    isolated = all(not r.foreign for r in results)
    clean = all(not r.errors and r.polls > 0 for r in results)
    memory_ok = min(after, after_late) <= before * (1 + args.tolerance)
    print(
        f"isolation: {'ok' if isolated else 'FAILED'}; every user ran: {'ok' if clean else 'FAILED'}; "
        f"memory within {args.tolerance:.0%}: {'ok' if memory_ok else 'FAILED'}"
    )
    ok = isolated and clean and memory_ok
    print("PASS" if ok else "FAIL")
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
