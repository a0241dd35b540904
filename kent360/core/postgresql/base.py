"""Django's PostgreSQL backend with a cheaper check of a kept connection.

Rule: a connection kept between requests (``CONN_MAX_AGE``) must not be used after the
server went away (a restart, a failover), or the first statement of the next request
fails. Django checks with a ``SELECT 1`` at the start of every request and every worker
task: one round trip each time, ~5 % of an API create's CPU. A connection the server
closed has something to read on its socket (the end of the stream, or the server's
"terminating connection" notice) while our side is idle, so the socket is looked at
instead, without waiting. Nothing else arrives unasked on an idle connection of ours (no
LISTEN, no SET), so a readable socket means the connection is dropped and reopened; when
in doubt, Django's ``SELECT 1`` is asked as before.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):  # type: ignore[misc]
    health_check_enabled: bool
    health_check_done: bool
    connection: Any

    def close_if_health_check_failed(self) -> None:
        if self.pool or self.connection is None or not self.health_check_enabled:
            super().close_if_health_check_failed()
            return
        if self.health_check_done:
            return
        if not self._idle_socket_quiet():
            self.close()
        self.health_check_done = True

    def _idle_socket_quiet(self) -> bool:
        """True when the idle connection has nothing waiting on its socket."""
        try:
            pgconn = self.connection.pgconn
            if pgconn.status != pq.ConnStatus.OK or (
                pgconn.transaction_status != pq.TransactionStatus.IDLE
            ):
                return bool(self.is_usable())
            readable, _w, _x = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, AttributeError):
            return bool(self.is_usable())
        return not readable
