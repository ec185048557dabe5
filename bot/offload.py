"""Work too heavy for the event loop, run in a worker process.

A thread would not do: NumPy and SciPy hold the interpreter's lock for long stretches, and a
10,000 × 2,000 batch takes gigabytes that a process gives back to the system when it ends.
Each call starts a fresh process ("spawn": nothing of the bot's own state, sockets or
threads is copied into it) and the process ends with the call.

Moving data costs time too: unpickling thousands of results in one call holds the
interpreter's lock for tens of milliseconds, and the event loop with it. So long lists go
across in pieces of CHUNK items, each (un)pickled by its own short call in a thread, between
which the event loop gets its turns. Better still, send little: a worker that can read what
it needs from the database itself is given ids, not objects (bot/offers/matchmaking.py).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 200  # items per piece: a few milliseconds to pickle


class _Pieces(list):
    """A long list, pickled CHUNK items at a time."""


def _pack(items: Sequence[Any]) -> _Pieces:
    return _Pieces(pickle.dumps(items[i : i + CHUNK]) for i in range(0, len(items), CHUNK))


def _unpack(value: Any) -> Any:
    if isinstance(value, _Pieces):
        return [item for piece in value for item in pickle.loads(piece)]
    return value


def _pack_arguments(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_pack(a) if isinstance(a, list | tuple) and len(a) > CHUNK else a for a in args)


def _run_unpacked(function: Callable[..., T], packed: tuple[Any, ...]) -> Any:
    """In the worker: the arguments back together, the call, and its result (a long list in
    pieces, unpickled back in the bot a piece at a time)."""
    result = function(*(_unpack(a) for a in packed))
    return _pack(result) if isinstance(result, list) and len(result) > CHUNK else result


async def in_worker_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker process; the function must be importable by name (at a
    module's top level) and its arguments and result picklable."""
    packed = await asyncio.to_thread(_pack_arguments, args)
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            pool, _run_unpacked, function, packed
        )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return await asyncio.to_thread(_unpack, result)
