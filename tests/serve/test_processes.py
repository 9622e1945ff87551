"""Several server processes on one port: the parent refuses a port already served."""

from __future__ import annotations

import pytest

from shopmind.serve.processes import listening_socket, serve_processes
from tests.conftest import free_port


def test_a_port_another_server_listens_on_is_refused_before_any_process_starts() -> None:
    port = free_port()
    other = listening_socket("127.0.0.1", port)  # shares ports: a second shopmind, say
    other.listen(8)
    try:
        with pytest.raises(OSError, match=f"127.0.0.1:{port} is in use"):
            serve_processes("127.0.0.1", port, 2, "error")
    finally:
        other.close()
