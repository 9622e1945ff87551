"""One send per response: the held-writes transport alone, then under a real uvicorn server."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shopmind.serve.wire import OneSend, _HeldWrites


class Recording(asyncio.Transport):
    """A transport that keeps what it is asked to do, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.closing = True
        self.calls.append(("close", b""))

    def abort(self) -> None:
        self.closing = True
        self.calls.append(("abort", b""))

    def write_eof(self) -> None:
        self.calls.append(("eof", b""))

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 7


def _turns(loop: asyncio.AbstractEventLoop, n: int = 2) -> None:
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_writes_of_one_turn_leave_as_one_write_when_the_turn_ends(
    loop: asyncio.AbstractEventLoop,
) -> None:
    real = Recording()
    held = _HeldWrites(real, loop)
    held.write(b"HTTP/1.1 200 OK\r\n\r\n")
    held.write(memoryview(b"body"))
    held.write(b"")  # nothing to send: no call at all
    assert real.calls == []
    assert held.get_write_buffer_size() == 7 + len(b"HTTP/1.1 200 OK\r\n\r\nbody")
    _turns(loop)
    assert real.calls == [("write", b"HTTP/1.1 200 OK\r\n\r\nbody")]
    held.writelines([b"a", b"b"])  # the next turn's writes are the next write
    _turns(loop)
    assert real.calls[1:] == [("write", b"ab")]


def test_close_and_eof_send_what_is_held_first_and_abort_drops_it(
    loop: asyncio.AbstractEventLoop,
) -> None:
    real = Recording()
    held = _HeldWrites(real, loop)
    held.write(b"last words")
    held.close()
    assert real.calls == [("write", b"last words"), ("close", b"")]
    _turns(loop)  # the turn's flush finds nothing left
    assert len(real.calls) == 2

    real = Recording()
    held = _HeldWrites(real, loop)
    held.write(b"x")
    held.write_eof()
    assert real.calls == [("write", b"x"), ("eof", b"")]

    real = Recording()
    held = _HeldWrites(real, loop)
    held.write(b"never sent")
    held.abort()
    _turns(loop)
    assert real.calls == [("abort", b"")]


def test_bytes_held_for_a_connection_the_peer_closed_are_dropped(
    loop: asyncio.AbstractEventLoop,
) -> None:
    real = Recording()
    held = _HeldWrites(real, loop)
    held.write(b"too late")
    real.closing = True  # the peer went away before the turn ended
    _turns(loop)
    assert real.calls == []
    assert held.is_closing()  # everything else is the real transport's


# -- under a real server ------------------------------------------------------------------------
WRITES: list[int] = []  # the real transport's writes per response, across connections


class Counting(OneSend):
    """OneSend over a transport that counts the writes reaching the socket."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        real = transport

        class Counted:
            def write(self, data: bytes) -> None:
                WRITES.append(len(data))
                real.write(data)  # type: ignore[attr-defined]

            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

        super().connection_made(Counted())  # type: ignore[arg-type]


async def _page(request: Request) -> Response:
    return JSONResponse({"hits": list(range(int(request.query_params.get("n", "10"))))})


async def _stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(3):
            await asyncio.sleep(0.01)
            yield f"chunk {i}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


async def _echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


APP = Starlette(
    routes=[
        Route("/page", _page, methods=["GET", "HEAD"]),
        Route("/stream", _stream),
        Route("/echo", _echo, methods=["POST"]),
    ]
)


@pytest.fixture
def base() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(APP, host="127.0.0.1", port=port, http=Counting, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(20)


def test_a_response_reaches_the_socket_in_one_write_and_keep_alive_goes_on(base: str) -> None:
    WRITES.clear()
    with httpx.Client(base_url=base) as client:
        for n in (0, 10, 5_000):  # a large body too (one write, split by TCP as it likes)
            r = client.get("/page", params={"n": n})
            assert r.status_code == 200
            assert r.json() == {"hits": list(range(n))}
        head = client.head("/page")
        assert head.status_code == 200 and head.content == b""
        missing = client.get("/nowhere")
        assert missing.status_code == 404
    # five responses on one connection, each its headers and body in one write
    assert len(WRITES) == 5


def test_streamed_chunks_and_a_continued_upload_arrive_whole(base: str) -> None:
    with httpx.Client(base_url=base) as client:
        r = client.get("/stream")
        assert r.text == "chunk 0\nchunk 1\nchunk 2\n"
        body = bytes(range(256)) * 400
        r = client.post("/echo", content=body, headers={"expect": "100-continue"})
        assert r.status_code == 200 and r.content == body
