"""A small bounded memo: the least recently used entries are evicted."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


class LRUCache(OrderedDict[Hashable, V]):
    """An ``OrderedDict`` holding at most ``maxsize`` entries and, with ``max_bytes``, entries whose sizes
    (``weigh(value)``, taken when stored) add up to at most ``max_bytes`` (the newest entry always stays).
    """

    def __init__(self, maxsize: int, max_bytes: int | None = None, weigh: Callable[[V], int] | None = None) -> None:
        super().__init__()
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.nbytes = 0
        self._weights: dict[Hashable, int] = {}

    def get_or(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed (and stored) on a miss."""
        try:
            self.move_to_end(key)
            return self[key]
        except KeyError:
            value = compute()
            self._store(key, value)
            return value

    def put(self, key: Hashable, value: V) -> None:
        """Store ``value`` as the newest entry, then evict the oldest entries beyond the bounds."""
        if key in self:
            self.pop(key)
        self._store(key, value)

    def _store(self, key: Hashable, value: V) -> None:
        self[key] = value
        if self.weigh is None:
            if len(self) > self.maxsize:
                self.popitem(last=False)
            return
        weight = self.weigh(value)
        self._weights[key] = weight
        self.nbytes += weight
        while len(self) > self.maxsize or (
            self.max_bytes is not None and self.nbytes > self.max_bytes and len(self) > 1
        ):
            self.popitem(last=False)

    def popitem(self, last: bool = True) -> tuple[Hashable, V]:
        key, value = super().popitem(last)
        if self._weights:
            self.nbytes -= self._weights.pop(key, 0)
        return key, value

    def pop(self, key: Hashable, *default: V | None) -> V | None:  # type: ignore[override]
        self.nbytes -= self._weights.pop(key, 0)
        return super().pop(key, *default)

    def clear(self) -> None:
        super().clear()
        self._weights.clear()
        self.nbytes = 0
