"""Per-browser-session runs, and turning core errors into messages instead of tracebacks.

Each session's job lives in a ``gr.State`` (whose ``delete_callback`` stops
it when Gradio expires the state) and, by session hash, in ``_RUNS`` so the
``demo.unload`` hook can stop it the moment the tab closes: Gradio keeps a
closed tab's state for an hour, far too long to keep a GPU busy.
"""

import functools
import logging
import threading
from typing import Any, Callable

import gradio as gr

from ganlab.errors import GanLabError

log = logging.getLogger(__name__)
STATE_TTL_S = 6 * 3600  # a forgotten session (e.g. an API client) is cleaned up after this

_RUNS: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def close_run(run: Any) -> None:
    """Stop a run and free it (used as gr.State's delete_callback)."""
    if run is None:
        return
    try:
        (getattr(run, "close", None) or run.stop)()
    except Exception:  # cleanup must never raise into Gradio
        log.exception("closing a run failed")


def remember(request: gr.Request | None, key: str, run: Any) -> None:
    """Record ``run`` as this session's ``key`` run, closing the one it replaces."""
    session = getattr(request, "session_hash", None)
    if not session:
        return
    with _lock:
        old = _RUNS.setdefault(session, {}).get(key)
        _RUNS[session][key] = run
    if old is not None and old is not run:
        close_run(old)


def forget_session(request: gr.Request) -> None:
    """``demo.unload`` hook: the tab closed, so stop everything it started."""
    session = getattr(request, "session_hash", None)
    with _lock:
        runs = _RUNS.pop(session, {}) if session else {}
    for run in runs.values():
        close_run(run)


def active_sessions() -> int:
    with _lock:
        return len(_RUNS)


def friendly(fn: Callable) -> Callable:
    """Show GanLabError/ConfigError (and bad values) as a one-line gr.Error, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except GanLabError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return wrapper


def state(**kwargs: Any) -> gr.State:
    """A gr.State that stops its run when Gradio deletes it."""
    return gr.State(None, time_to_live=STATE_TTL_S, delete_callback=close_run, **kwargs)
