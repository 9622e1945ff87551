"""Several server processes on one port, each listening on a socket of its own.

uvicorn's ``workers`` share one listening socket, and whichever process wakes first accepts
every connection waiting: a burst of keep-alive connections (a load balancer's pool, a
benchmark's clients) then all land in one process while the others sit idle (measured:
8 clients' connections in one of two processes, 1.2 of 2 cores busy). Here every process
binds its own socket with ``SO_REUSEPORT``, and the kernel spreads new connections over
them. The parent only supervises: it stops the processes on SIGINT/SIGTERM and starts a
process again when one dies on its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType

logger = logging.getLogger(__name__)

APP = "shopmind.serve.app:app_from_environment"
BACKLOG = 2048
STARTUP_S = 5.0  # a process that ends sooner after its start failed to start: give up


def _socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that other processes may bind too (SO_REUSEPORT):
    the kernel hands each new connection to one of them."""
    sock = _socket(host)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _port_free(host: str, port: int) -> None:
    """Fail here, not in every child, when anything listens on the port already: bound
    without SO_REUSEPORT, the probe is refused even by another server that shares ports
    (a second shopmind on the same port would otherwise quietly take half the traffic)."""
    with _socket(host) as probe:
        try:
            probe.bind((host, port))
        except OSError as err:
            raise OSError(
                f"{host}:{port} is in use ({err.strerror}); stop what listens there or pick "
                "another port (--port)"
            ) from err


def _serve_one(host: str, port: int, log_level: str) -> None:  # pragma: no cover - a child
    import uvicorn

    from shopmind.serve.wire import OneSend

    sock = listening_socket(host, port)
    sock.listen(BACKLOG)
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        http=OneSend,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(host: str, port: int, processes: int, log_level: str) -> None:
    """Run ``processes`` server processes on ``host:port`` until SIGINT or SIGTERM. The
    environment must already say what each process loads (``app_from_environment``)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise OSError("this system has no SO_REUSEPORT: serve with one process")
    _port_free(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> tuple[BaseProcess, float]:
        child = context.Process(target=_serve_one, args=(host, port, log_level), daemon=False)
        child.start()
        return child, time.monotonic()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children = [start() for _ in range(processes)]  # each with when it started
    logger.info("serving on %s:%d with %d processes (SO_REUSEPORT)", host, port, processes)
    try:
        while not stopping.wait(0.5):
            for i, (child, since) in enumerate(children):
                if child.is_alive():
                    continue
                if time.monotonic() - since < STARTUP_S:
                    raise RuntimeError(
                        f"a server process ended while starting (exit code {child.exitcode}); "
                        "its log above says why"
                    )
                logger.warning(
                    "server process %s ended (exit code %s); starting another",
                    child.pid,
                    child.exitcode,
                )
                children[i] = start()
    finally:
        for child, _ in children:
            child.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + 30
        for child, _ in children:
            child.join(max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()
                child.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
