"""A TCP proxy on 127.0.0.1 that can be cut and restored: a database outage without touching
the database server (other people's connections to it are not disturbed).

    proxy = TcpProxy("127.0.0.1", 5432).start()   # listens on proxy.port
    proxy.cut()       # closes every proxied connection; new ones are refused
    proxy.restore()   # accepts again on the same port
    proxy.stall()     # a network that stopped answering: nothing forwarded, nothing closed
    proxy.resume()
    proxy.stop()
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading

logger = logging.getLogger(__name__)

BUFFER_BYTES = 65536


class TcpProxy:
    """Forward connections to ``target_host:target_port``; cut and restore them at will."""

    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self._listener: socket.socket | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._accepting = threading.Event()
        self._stalled = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> TcpProxy:
        """Listen and start forwarding in a background thread; return self."""
        self._listen()
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        self._accepting.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            if not self._accepting.wait(0.05) or self._stalled.is_set():
                # Stalled: new connections wait in the listen backlog, connected but unanswered.
                self._stopped.wait(0.05)
                continue
            with self._lock:
                listener = self._listener
            if listener is None:
                continue
            try:
                client, _address = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        selector = selectors.DefaultSelector()
        try:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while True:
                if self._stalled.is_set():
                    # Nothing read or forwarded, nothing closed: the peers wait.
                    self._stopped.wait(0.05)
                    with self._lock:
                        if pair not in self._pairs:
                            return
                    continue
                for key, _mask in selector.select(timeout=0.2):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(BUFFER_BYTES)
                    if not data:
                        return
                    key.data.sendall(data)
                with self._lock:
                    if pair not in self._pairs:
                        return
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            self._close(pair)

    def _close(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self._lock:
            self._pairs.discard(pair)
        for sock in pair:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def cut(self) -> None:
        """Drop every proxied connection and refuse new ones until ``restore``."""
        self._accepting.clear()
        with self._lock:
            listener, self._listener = self._listener, None
            pairs = list(self._pairs)
        if listener is not None:
            listener.close()
        for pair in pairs:
            self._close(pair)
        logger.info("tcp proxy: cut %d connection(s)", len(pairs))

    def restore(self) -> None:
        """Accept connections again on the same port."""
        self._listen()
        logger.info("tcp proxy: restored on port %d", self.port)

    def stall(self) -> None:
        """Stop forwarding without closing anything, as a network that stopped answering."""
        self._stalled.set()
        logger.info("tcp proxy: stalled")

    def resume(self) -> None:
        """Forward again after ``stall``."""
        self._stalled.clear()
        logger.info("tcp proxy: resumed")

    def stop(self) -> None:
        """Cut everything and end the thread."""
        self._stalled.clear()
        self.cut()
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
