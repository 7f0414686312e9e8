"""A unix-socket relay in front of the engine, so a test can make "the engine" vanish safely.

Every connection to the relay's socket is piped byte for byte to the real engine's socket
(HTTP, hijacked build sessions and all). ``kill()`` closes the listener and every piped
connection: to the client it looks exactly like a daemon that died, while the shared engine
behind it keeps running for everyone else.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path


class EngineRelay:
    def __init__(self, listen: Path, engine_socket: str) -> None:
        self.path, self.engine_socket = listen, engine_socket
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(listen))
        self.server.listen(64)
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.killed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    def _accept(self) -> None:
        while not self.killed.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # killed
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.engine_socket)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.killed.is_set():
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def kill(self) -> None:
        """The engine "dies": no new connections, every open one reset."""
        self.killed.set()
        self.server.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
