"""The server's HTTP/1.1 protocol: uvicorn's httptools parser, one send per response.

uvicorn writes a response's status line and headers as soon as the app sends
``http.response.start``, and the body at ``http.response.body``: two ``send`` syscalls on
the socket, two packets, and two wake-ups of the client, the first for a few hundred bytes
of headers it cannot use without the body. On 2 cores, where the client shares the
machine, that second hand-off showed: the header write was the largest single line of a
one-process server's py-spy profile under 8 keep-alive clients. Measured with one send
(4 alternating runs, lexical HomeDepot search, one process): 763 and 605 searches/s against
602 and 497, p99 19-25 ms against 33-38; the client's CPU fell by a tenth to a fifth. Two
processes, ``/health``: 5,106 and 5,197 requests/s against 4,777 and 4,453;
``/bought-together``: 1,964 and 2,035 against 1,686 and 2,012 (one process: within noise).

:class:`OneSend` hands uvicorn's protocol a transport that holds what is written during
one turn of the event loop and passes it on in one write when the turn ends, so the
headers and body of a response go out together. Nothing is reordered or dropped: a
close, an EOF or a protocol switch passes the held bytes on first, an abort drops them
with the connection (as the real transport drops its buffer), and the transport's buffer
size counts them, so uvicorn's flow control sees every byte. A streamed response sends
each chunk at the end of the turn that wrote it: the app awaits between chunks, and an
awaiting app lets the turn end.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeldWrites:
    """A transport that joins each loop turn's writes into one write of the real one."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        if not self._held:
            return
        held, self._held = self._held, []
        if self._transport.is_closing():  # closed under us (the peer left): nothing to send
            return
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._flush()  # an upgrade's 101 goes before the new protocol writes anything
        self._transport.set_protocol(protocol)

    def abort(self) -> None:
        self._held = []
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        # everything else (reading, extra info, buffer limits) is the real transport's
        return getattr(self._transport, name)


class OneSend(HttpToolsProtocol):
    """uvicorn's httptools protocol whose responses each go out in one write (module doc)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        held = _HeldWrites(transport, self.loop)
        super().connection_made(held)  # type: ignore[arg-type]
