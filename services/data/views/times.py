"""Stored times (naive UTC DATETIME(6)) as the contract's milliseconds since the epoch.

Both forms round down to the millisecond in exact integer arithmetic. The float arithmetic used
before (`int(at.replace(tzinfo=UTC).timestamp() * 1000)`) gives the same value for every time
from 2004-11-03 (2**40 ms) to 2038-01-19 (2**31 s), where a float's error stays below half the
last bit of the result; outside it, it was sometimes a millisecond low.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, func, literal_column

EPOCH = datetime(1970, 1, 1)
_MS = timedelta(milliseconds=1)


def epoch_ms(at: datetime) -> int:
    """A stored time, already loaded, in milliseconds."""
    return (at - EPOCH) // _MS


def epoch_ms_column(column: Any) -> ColumnElement[int]:
    """A stored time column in milliseconds, computed by the server.

    PyMySQL parses a BIGINT several times faster than a DATETIME (a regex and a datetime per
    value); TIMESTAMPDIFF between two DATETIMEs ignores the session time zone.
    """
    micros = func.timestampdiff(literal_column("MICROSECOND"), literal_column("'1970-01-01'"),
                                column)
    return micros.op("DIV", return_type=BigInteger)(literal_column("1000"))
