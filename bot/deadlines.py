"""Cancel a thread's running database statement once its delivery passed its deadline.

When the callback handles a delivery in the request thread itself (``inbound.Responder`` on
PostgreSQL), nothing else can answer WeChat for it, so what could keep it past WeChat's 5 s must
be stopped: a statement waiting for a lock (a retry of a delivery still being handled, a long
console transaction) or for a server that stopped answering. ``Deadlines.watch`` registers the
calling thread with a deadline; a single watchdog thread, polling every ``POLL_SECONDS``, calls
the registered ``cancel`` for the thread (``Database.cancel_held``: PostgreSQL's cancel request on
the thread's kept connection) once its deadline passed. The statement then fails with
``QueryCanceled``; nothing it did is committed, and the caller keeps the delivery in the spool.
A cancel request needs the server to answer; when the thread is still waiting ``GRACE_SECONDS``
later (a network that stopped answering), ``stop`` is called (``Database.stop_held``: the
connection's socket is shut down when a statement is still in progress on it), and the statement
fails as on a lost connection.

Registering costs a lock and a deque append; no thread switch per delivery (the watchdog does
not wait on each one). Deadlines are met within ``POLL_SECONDS``. Python code that is slow on
its own (not waiting for the database) is not interrupted: its reply goes out later through the
outbox (``Delivery.take`` refuses it past the deadline) and WeChat's retries are answered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# How often the watchdog looks at the oldest registered delivery (s); also how late a cancel can be.
POLL_SECONDS = 0.1
# The watchdog stops after this long with nothing registered, and starts again on demand (s).
IDLE_SECONDS = 30.0
# How long after a cancel a thread still waiting has its connection stopped (s).
GRACE_SECONDS = 0.5


@dataclass(eq=False)
class Watch:
    thread_id: int
    deadline: float
    active: bool = True
    cancelled: bool = False
    stopped: bool = False


class Deadlines:
    """Watch threads' deadlines and cancel their database statement once one has passed.

    ``cancel(thread_id)``: stop whatever statement that thread's connection is running (it must be
    safe to call from another thread, and harmless when nothing runs). ``stop(thread_id)``, if
    given: called ``GRACE_SECONDS`` later for a thread still inside its watch, to end a wait the
    cancel could not (same requirements).
    """

    def __init__(
        self, cancel: Callable[[int], object], stop: Callable[[int], object] | None = None
    ) -> None:
        self._cancel = cancel
        self._stop = stop
        self._watches: deque[Watch] = deque()
        # Cancelled and still inside their watch, oldest first, with when they were cancelled.
        self._cancelled: deque[tuple[float, Watch]] = deque()
        # Held while a watch is entered or left and while a cancel is being sent, so a thread
        # cannot leave its watch (and start its next statement) while its cancel is on the way.
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, deadline: float) -> Iterator[Watch]:
        """Cancel the calling thread's statement if it still runs at ``deadline`` (monotonic s).

        Yields the watch; its ``cancelled`` says whether a cancel was sent.
        """
        entry = Watch(threading.get_ident(), deadline)
        with self._lock:
            self._watches.append(entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
        try:
            yield entry
        finally:
            with self._lock:
                entry.active = False

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            with self._lock:
                due = self._due(now)
                if self._watches or self._cancelled:
                    idle_since = now
                elif not due and now - idle_since > IDLE_SECONDS:
                    self._thread = None
                    return
                for entry in due:
                    entry.cancelled = True
                    self._call(self._cancel, entry, "cancel")
                    if self._stop is not None:
                        self._cancelled.append((now, entry))
                while self._cancelled and (
                    not self._cancelled[0][1].active or now - self._cancelled[0][0] >= GRACE_SECONDS
                ):
                    _at, entry = self._cancelled.popleft()
                    if entry.active and self._stop is not None:
                        entry.stopped = True
                        self._call(self._stop, entry, "stop")

    @staticmethod
    def _call(action: Callable[[int], object], entry: Watch, what: str) -> None:
        try:
            done = action(entry.thread_id)
        except Exception:  # the watchdog must outlive any one failed action
            logger.exception("deadlines: %s of a late delivery's statement failed", what)
            return
        if done:
            logger.warning("deadlines: a delivery ran past its deadline (%s sent)", what)

    def _due(self, now: float) -> list[Watch]:
        """Pop the finished watches at the front and return the active ones past their deadline.

        Deadlines arrive in order (one budget for all), so the front is always the oldest.
        """
        due: list[Watch] = []
        while self._watches:
            entry = self._watches[0]
            if not entry.active:
                self._watches.popleft()
            elif entry.deadline <= now:
                self._watches.popleft()
                due.append(entry)
            else:
                break
        return due
