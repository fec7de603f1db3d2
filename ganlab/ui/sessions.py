"""Per-browser-session runs, and turning core errors into messages instead of tracebacks.

Each session's job lives in a ``gr.State`` (whose ``delete_callback`` stops
it when Gradio expires the state) and, by session hash, in ``_RUNS`` so the
``demo.unload`` hook can stop it the moment the tab closes: Gradio keeps a
closed tab's state for an hour, far too long to keep a GPU busy.

Uploaded models are per session too (:class:`Uploads`): one visitor's upload
never appears in, or opens from, another's dropdown. Only runs saved to
``runs/`` on purpose are shared.
"""

import functools
import logging
import threading
from pathlib import Path
from typing import Any, Callable

import gradio as gr

from ganlab import limits
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
    """``demo.unload`` hook: the tab closed, so stop everything it started and drop its uploads."""
    session = getattr(request, "session_hash", None)
    with _lock:
        runs = _RUNS.pop(session, {}) if session else {}
    for run in runs.values():
        close_run(run)
    if session:
        for registry in list(_UPLOAD_REGISTRIES):
            registry.forget(session)


def session_of(request: gr.Request | None) -> str | None:
    """The browser session (a gradio_client ``Client`` is one too); None for direct calls."""
    return getattr(request, "session_hash", None) or None


class Uploads:
    """Uploaded files by dropdown name, kept per session so no visitor sees another's upload.

    Registered with ``session=None`` (server code, tests) an upload is shared by all.
    """

    def __init__(self, cleanup: Callable[[Any], None] | None = None) -> None:
        """``cleanup(value)`` frees what an upload left on disk when its session ends."""
        self._lock = threading.Lock()
        self._by_session: dict[str | None, dict[str, Any]] = {}
        self._cleanup = cleanup
        _UPLOAD_REGISTRIES.append(self)

    def names(self, session: str | None) -> list[str]:
        with self._lock:
            shared = list(self._by_session.get(None, {}))
            own = list(self._by_session.get(session, {})) if session else []
        return shared + [n for n in own if n not in shared]

    def get(self, session: str | None, name: str) -> Any:
        with self._lock:
            if session and name in self._by_session.get(session, {}):
                return self._by_session[session][name]
            return self._by_session.get(None, {}).get(name)

    def add(self, session: str | None, base: str, value: Any) -> str:
        """Record ``value`` as ``base`` (or ``base-2``, ... if that name holds something else)."""
        with self._lock:
            table = self._by_session.setdefault(session, {})
            name, i = base, 2
            while name in table and table[name] != value:
                name, i = f"{base}-{i}", i + 1
            table[name] = value
        return name

    def forget(self, session: str) -> None:
        with self._lock:
            gone = self._by_session.pop(session, {})
        for value in gone.values() if self._cleanup else ():
            try:
                self._cleanup(value)
            except Exception:  # cleanup must never raise into Gradio
                log.exception("cleaning up an upload failed")


_UPLOAD_REGISTRIES: list[Uploads] = []


def check_uploads(paths: Any) -> list[str]:
    """Uploaded file paths, each refused clearly if empty or over GANLAB_MAX_UPLOAD_BYTES (before any read)."""
    items = paths if isinstance(paths, (list, tuple)) else [paths]
    out = []
    cap = limits.get("upload_bytes")
    for item in items:
        if not item:
            continue
        path = Path(getattr(item, "name", None) or getattr(item, "path", None) or item)
        try:
            size = path.stat().st_size
        except OSError:
            raise GanLabError(f"{path.name}: the upload could not be read; upload it again") from None
        if size == 0:
            raise GanLabError(f"{path.name}: the file is empty (0 bytes)")
        if size > cap:
            raise GanLabError(
                f"{path.name}: {limits.mb(size)} is over the {limits.mb(cap)} upload limit "
                "on this server (GANLAB_MAX_UPLOAD_BYTES)"
            )
        out.append(str(path))
    return out


def friendly(fn: Callable) -> Callable:
    """Show GanLabError/ConfigError (and bad values) as a one-line gr.Error, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error:  # already one line (gr.Error is a ValueError: re-wrapping it would quote it)
            raise
        except (GanLabError, ValueError) as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return wrapper


def state(**kwargs: Any) -> gr.State:
    """A gr.State that stops its run when Gradio deletes it."""
    return gr.State(None, time_to_live=STATE_TTL_S, delete_callback=close_run, **kwargs)


def name_errors(widgets: dict[str, Any]) -> None:
    """Make Gradio's own range and choice checks name the field, so an API caller reads
    "batch_size: Value 0 is less than minimum value 8." rather than guessing which value."""
    for name, widget in widgets.items():

        def preprocess(payload: Any, _check=widget.preprocess, _name=name) -> Any:
            try:
                return _check(payload)
            except gr.Error as exc:
                raise gr.Error(f"{_name}: {exc.message}", print_exception=False) from None

        widget.preprocess = preprocess


def dropdown_after_upload(
    register: Callable[[Any, str | None], str],
    choices: Callable[[str | None], list],
    files: Any,
    request: gr.Request | None,
) -> Any:
    """Register an upload for this session and show it selected in its tab's dropdown."""
    session = session_of(request)
    name = register(files, session)
    return gr.update(choices=choices(session), value=name)
