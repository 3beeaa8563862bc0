"""A server on loopback that accepts connections and never answers: a hung Redis or
PostgreSQL as its clients see it (TCP acknowledges what they send; no reply ever comes)."""

import contextlib
import socket
import threading


class SilentListener:
    """`with SilentListener() as hung: ... hung.port`; `hung.connections` counts the
    connections accepted and `hung.received` the bytes read, so a test can tell whether a
    client asked at all."""

    def __init__(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.received = 0
        self._sockets = []
        self._lock = threading.Lock()

    def __enter__(self):
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self):
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.connections += 1
                self._sockets.append(client)
            threading.Thread(target=self._swallow, args=(client,), daemon=True).start()

    def _swallow(self, client):
        try:
            while data := client.recv(65536):
                with self._lock:
                    self.received += len(data)
        except OSError:
            pass
