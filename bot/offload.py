"""Work too heavy for the event loop, run in a worker process.

A thread would not do: NumPy and SciPy hold the interpreter's lock for long stretches, and a
10,000 × 2,000 batch takes gigabytes that a process gives back to the system when it ends.
Each call starts a fresh process ("spawn": nothing of the bot's own state, sockets or
threads is copied into it) and the process ends with the call, killed if need be, so a stop
never waits for a solve.

Moving data costs time too: unpickling thousands of results in one call holds the
interpreter's lock for tens of milliseconds, and the event loop with it. So long lists go
across in pieces of CHUNK items, each (un)pickled by its own short call in a thread, between
which the event loop gets its turns. Better still, send little: a worker that can read what
it needs from the database itself is given ids, not objects (bot/offers/matchmaking.py).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 200  # items per piece: a few milliseconds to pickle
DEFAULT_LIMIT = 600.0  # seconds before a worker is given up (10,000 × 2,000 took 34 s)


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


async def in_worker_process(
    function: Callable[..., Any],
    *args: Any,
    then: Callable[[Any], T] = lambda result: result,
    within: float = DEFAULT_LIMIT,
) -> T:
    """``then(function(*args))``: the function in a worker process (importable by name, at a
    module's top level; its arguments and result picklable), ``then`` in the bot on what it
    returned, off the event loop. Raises TimeoutError after ``within`` seconds. However the
    call ends (a result, a timeout, the caller cancelled as the bot stops), the worker is gone
    with it: killed if still running."""
    packed = await asyncio.to_thread(_pack_arguments, args)
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def tell_the_loop(_outcome: object) -> None:  # called on the pool's own thread
        loop.call_soon_threadsafe(finished.set)

    pool = multiprocessing.get_context("spawn").Pool(processes=1)
    try:
        pending = pool.apply_async(
            _run_unpacked, (function, packed), callback=tell_the_loop, error_callback=tell_the_loop
        )
        async with asyncio.timeout(within):
            await finished.wait()
        result = pending.get()
    finally:
        pool.terminate()
    # Unpickling thousands of results sets off the garbage collector's full passes, each of
    # which would walk everything the bot holds (a tenth of a second and more, the loop
    # waiting): while they arrive, what was there before is left out of those passes.
    gc.freeze()
    try:
        return await asyncio.to_thread(lambda: then(_unpack(result)))
    finally:
        gc.unfreeze()
