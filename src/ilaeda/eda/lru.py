"""A small bounded memo: the least recently used entries are evicted."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")


class LRUCache(OrderedDict[Hashable, V]):
    """An ``OrderedDict`` holding at most ``maxsize`` entries."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get_or(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed (and stored) on a miss."""
        try:
            self.move_to_end(key)
            return self[key]
        except KeyError:
            value = compute()
            self[key] = value
            if len(self) > self.maxsize:
                self.popitem(last=False)
            return value
