"""Query encoding for a server: concurrent requests share one model call, repeated queries skip it.

On a CPU the encoder is compute-bound: one short query costs about as much as several batched together, and
two encodes in parallel only fight over the same cores. So one worker thread owns the model; requests queue
their text and wait; the worker encodes whatever has queued up as a single batch (natural micro-batching: the
busier the server, the larger the batches). An LRU cache answers queries seen before without the model.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future

from papergraph.embed.encoder import Encoder, Vectors

log = logging.getLogger(__name__)


class QueryEncoder:
    """``encode_query`` with micro-batching and an LRU cache in front of an :class:`Encoder`."""

    def __init__(self, encoder: Encoder, max_batch: int = 32, cache_size: int = 4096) -> None:
        self.encoder = encoder
        self.max_batch = max_batch
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, Future[Vectors]]] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="query-encoder", daemon=True)
        self._worker.start()

    # the Encoder's identity, for code that only needs to describe the model
    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: list[str], batch_size: int | None = None) -> Vectors:
        return self.encoder.encode(texts, batch_size)

    def encode_query(self, text: str) -> Vectors:
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        future: Future[Vectors] = Future()
        self._queue.put((text, future))
        vector = future.result()
        with self._cache_lock:
            self._cache[text] = vector
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return vector

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            texts = list(dict.fromkeys(text for text, _ in batch))
            try:
                vectors = dict(zip(texts, self.encoder.encode(texts, batch_size=len(texts)), strict=True))
            except BaseException as exc:  # hand the failure to every waiting request
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for vector in vectors.values():
                vector.flags.writeable = False  # shared by every caller and the cache
            for text, future in batch:
                future.set_result(vectors[text])
