"""The parse workers' pool: worker processes that each parse one page at a time for the crawl's
event loop, over a pipe the loop itself watches.

Not concurrent.futures' ProcessPoolExecutor: it feeds and reads its workers through two threads
of the crawl process, and those threads' hand-offs (and their fight with the event loop for the
GIL) cost the crawl process more CPU a page than pickling the page does (bench/crawl.py). Here a
page is pickled into an idle worker's pipe by the loop, and its answer read when the pipe is
readable: no thread. A worker that dies (killed, out of memory) is replaced, and the page it had
in hand is failed with WorkerDied for the caller to decide."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

logger = logging.getLogger(__name__)


class WorkerDied(Exception):
    """The worker parsing a page died before it answered."""


class WorkerError(Exception):
    """A worker's exception that could not be sent back as itself (it does not pickle)."""


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process, self.conn = process, conn
        self.future: asyncio.Future | None = None  # the page in hand


class ParsePool:
    """`workers` processes, each running `serve(conn, *initargs)` (crawler.parse_worker.serve):
    it receives a task tuple, calls its function and sends back (True, result) or (False, exception)."""

    def __init__(self, workers: int, serve: Callable[..., None], initargs: tuple = ()) -> None:
        self._context = multiprocessing.get_context("spawn")  # not fork: the crawl process runs an event loop
        self._serve, self._initargs = serve, initargs
        self._workers = [self._start() for _ in range(workers)]
        self._waiting: deque[tuple[asyncio.Future, tuple]] = deque()
        self.closed = False

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def _start(self) -> _Worker:
        conn, child = self._context.Pipe()
        process = self._context.Process(target=self._serve, args=(child, *self._initargs), daemon=True)
        process.start()
        child.close()  # the worker's end is the worker's: its EOF tells each side the other is gone
        return _Worker(process, conn)

    async def run(self, *task: Any) -> Any:
        """Have a worker run `task` (its function and arguments, as `serve` takes them); its result,
        or its exception raised here; WorkerDied if the worker died on it."""
        if self.closed:
            raise RuntimeError("the parse pool is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((future, task))
        self._dispatch(loop)
        return await future

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        for i, worker in enumerate(self._workers):
            held = worker.future
            if held is not None and held.get_loop() is not loop and held.get_loop().is_closed():
                # A page left in hand by an event loop that has closed (a crawl stopped mid-parse, in a
                # process that runs another): its answer has no reader, so the worker is started afresh.
                self._workers[i] = worker = self._replace(worker)
            while worker.future is None and self._waiting:
                future, task = self._waiting.popleft()
                if future.done():  # cancelled while it waited
                    continue
                try:
                    worker.conn.send(task)  # the worker is idle (or starting, once): it drains the pipe as it is written
                except (BrokenPipeError, ConnectionResetError):  # died while idle: a new one takes the page
                    self._waiting.appendleft((future, task))
                    self._workers[i] = worker = self._replace(worker)
                    continue
                except Exception as exc:  # noqa: BLE001 - a task that does not pickle fails alone
                    future.set_exception(exc)
                    continue
                worker.future = future
                loop.add_reader(worker.conn.fileno(), self._answer, i, worker, loop)

    def _answer(self, i: int, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(worker.conn.fileno())
        future, worker.future = worker.future, None
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError):  # the worker died on the page
            ok, value = False, WorkerDied()
            self._workers[i] = self._replace(worker)
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle fails its page alone
            ok, value = False, WorkerError(f"{type(exc).__name__}: {exc}")
        if future is not None and not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._dispatch(loop)

    def _replace(self, worker: _Worker) -> _Worker:
        logger.debug("parse worker %s replaced (exit code %s)", worker.process.pid, worker.process.exitcode)
        self._stop(worker, wait=0.0)
        return self._start()

    def close(self) -> None:
        """Stop the workers (each finishes its page first, within a few seconds) and fail what waits."""
        if self.closed:
            return
        self.closed = True
        for future, _ in self._waiting:
            future.cancel()
        self._waiting.clear()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)  # the worker's sign to leave
        for worker in self._workers:
            self._stop(worker, wait=5.0)

    @staticmethod
    def _stop(worker: _Worker, wait: float) -> None:
        if worker.future is not None:
            loop = worker.future.get_loop()
            if not loop.is_closed():
                loop.remove_reader(worker.conn.fileno())
            if not worker.future.done():
                worker.future.cancel()
        worker.process.join(wait)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        worker.process.close()


def serve_tasks(conn: Connection, call: Callable[..., Any]) -> None:
    """A worker's loop: each task from the pipe run by `call`, its result or exception sent back,
    until the crawl process says stop (None) or is gone (EOF)."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            answer = (True, call(*task))
        except BaseException as exc:  # noqa: BLE001 - every failure of a page is the page's, told to the crawl
            answer = (False, exc)
        try:
            conn.send(answer)
        except (BrokenPipeError, ConnectionResetError):
            return
        except BaseException as exc:  # noqa: BLE001 - an answer that does not pickle
            conn.send((False, WorkerError(f"{type(exc).__name__}: {exc}")))


__all__ = ["ParsePool", "WorkerDied", "WorkerError", "serve_tasks"]
