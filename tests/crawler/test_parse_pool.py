"""The parse workers' pool (crawler.parse_pool), with real worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pytest

from crawler.parse_pool import ParsePool, WorkerDied, WorkerError, serve_tasks


def work(kind: str, value: object = None) -> object:
    """What the test workers do with a task."""
    if kind == "square":
        return value * value
    if kind == "raise":
        raise ValueError(f"bad page {value}")
    if kind == "pid":
        return os.getpid()
    if kind == "sleep":
        time.sleep(value)
        return os.getpid()
    if kind == "unpicklable":
        return lambda: None
    raise AssertionError(kind)


def serve(conn: Connection) -> None:
    serve_tasks(conn, work)


@pytest.fixture
def pool() -> Iterator[ParsePool]:
    pool = ParsePool(2, serve)
    yield pool
    pool.close()


def test_every_task_gets_its_own_answer_and_an_exception_fails_only_its_task(pool: ParsePool) -> None:
    async def main() -> list:
        tasks = [pool.run("square", n) for n in range(20)] + [pool.run("raise", 7)]
        return await asyncio.gather(*tasks, return_exceptions=True)

    *squares, error = asyncio.run(main())
    assert squares == [n * n for n in range(20)]
    assert isinstance(error, ValueError) and str(error) == "bad page 7"
    assert asyncio.run(pool.run("square", 3)) == 9  # the worker goes on


def test_the_pages_are_shared_by_the_workers_without_a_thread_in_the_crawl_process(pool: ParsePool) -> None:
    threads = threading.active_count()

    async def main() -> list:
        running = [pool.run("sleep", 0.5) for _ in range(2)]
        await asyncio.sleep(0.1)
        assert threading.active_count() == threads  # the event loop reads the pipes itself
        return await asyncio.gather(*running)

    pids = asyncio.run(main())
    assert sorted(pids) == sorted(pool.pids)  # one page a worker: both at once


def test_a_worker_killed_on_a_page_fails_that_page_and_is_replaced(pool: ParsePool) -> None:
    async def main() -> tuple:
        slow = asyncio.ensure_future(pool.run("sleep", 30))
        await asyncio.sleep(0.5)
        victim = pool.pids[0]  # the first idle worker took it
        os.kill(victim, signal.SIGKILL)
        with pytest.raises(WorkerDied):
            await slow
        return victim, await pool.run("square", 4)

    victim, answer = asyncio.run(main())
    assert answer == 16
    assert victim not in pool.pids and len(pool.pids) == 2


def test_a_worker_that_died_idle_is_replaced_when_a_page_comes(pool: ParsePool) -> None:
    for pid in pool.pids:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)

    async def main() -> list:
        return await asyncio.gather(*(pool.run("square", n) for n in range(4)))

    assert asyncio.run(main()) == [0, 1, 4, 9]


def test_an_answer_that_cannot_be_sent_back_fails_its_page_alone(pool: ParsePool) -> None:
    with pytest.raises(WorkerError, match="pickle"):
        asyncio.run(pool.run("unpicklable"))
    assert asyncio.run(pool.run("square", 5)) == 25


def test_closing_stops_the_workers_and_cancels_what_waits() -> None:
    pool = ParsePool(1, serve)
    pids = pool.pids

    async def main() -> None:
        busy = asyncio.ensure_future(pool.run("sleep", 0.3))
        waiting = asyncio.ensure_future(pool.run("square", 2))
        await asyncio.sleep(0.1)
        pool.close()
        for task in (busy, waiting):
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    time.sleep(0.1)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # reaped: gone
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(pool.run("square", 1))


def test_a_page_left_in_hand_by_a_closed_event_loop_does_not_stall_the_next(pool: ParsePool) -> None:
    async def leave() -> None:  # a crawl stopped while its pages were being parsed
        for _ in range(2):
            asyncio.ensure_future(pool.run("sleep", 5))
        await asyncio.sleep(0.2)

    before = pool.pids
    asyncio.run(leave())
    assert asyncio.run(pool.run("square", 6)) == 36
    assert not set(pool.pids) & set(before)  # both workers were left with a page: both started afresh
