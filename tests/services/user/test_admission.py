"""The hashing gate: a few runs at a time, and no wait that cannot end in time."""

from __future__ import annotations

import threading

import pytest

from services.mesh.errors import AppError, Code
from services.user.admission import HashingGate


def _holding(gate: HashingGate) -> tuple[threading.Event, threading.Event, threading.Thread]:
    """A thread that holds one slot until released."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.slot(10.0):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    return held, release, thread


def test_a_call_without_time_to_hash_is_refused_at_once() -> None:
    gate = HashingGate(slots=1)
    _, release, thread = _holding(gate)
    try:
        with pytest.raises(AppError) as info, gate.slot(time_remaining=0.2):
            pass
        assert info.value.code == Code.TOO_MANY_REQUESTS and "try again" in info.value.message
    finally:
        release.set()
        thread.join()


def test_a_call_with_time_waits_for_a_free_slot() -> None:
    gate = HashingGate(slots=1)
    _, release, thread = _holding(gate)
    entered = threading.Event()

    def second() -> None:
        with gate.slot(10.0):
            entered.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    assert not entered.is_set()
    release.set()
    assert entered.wait(10)
    waiter.join()
    thread.join()


def test_slots_default_to_the_cores_this_process_may_use() -> None:
    gate = HashingGate()
    assert gate.slots >= 1
    with gate.slot(None):
        pass


def test_a_free_slot_admits_whatever_the_estimate_and_the_run_corrects_it() -> None:
    # a loaded machine once pushed the estimate past the deadline: every call was then refused
    # without running, so the estimate never came down again
    gate = HashingGate(slots=1)
    gate.estimate = 60.0
    with gate.slot(time_remaining=5.0):
        pass
    assert gate.estimate < 60.0 * 0.81
    _, release, thread = _holding(gate)
    try:  # with every slot taken, the estimate still decides: no wait that cannot end in time
        with pytest.raises(AppError), gate.slot(time_remaining=5.0):
            pass
    finally:
        release.set()
        thread.join()
