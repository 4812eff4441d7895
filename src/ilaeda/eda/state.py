"""View states and the session stack shared by the environment and the benchmark simulator."""

from __future__ import annotations

from dataclasses import dataclass, field

from ilaeda.data.sessions import Action, Back, Filter, Group, Stop


@dataclass(frozen=True)
class State:
    """What defines a view: filters applied in order, grouping columns, aggregations.

    ``filters`` holds :class:`~ilaeda.data.sessions.Filter` actions; ``aggregations`` holds
    ``(column, function)`` pairs (a later pair on the same column overrides an earlier one).
    """

    filters: tuple[Filter, ...] = ()
    grouping: tuple[str, ...] = ()
    aggregations: tuple[tuple[str, str], ...] = ()

    @property
    def is_root(self) -> bool:
        return not (self.filters or self.grouping or self.aggregations)

    def with_filter(self, action: Filter) -> State:
        """This state plus a filter (a filter already present is not added twice)."""
        if action in self.filters:
            return self
        return State((*self.filters, action), self.grouping, self.aggregations)

    def with_group(self, action: Group) -> State:
        """This state grouped by one more column, aggregating one more (column, function)."""
        grouping = self.grouping if action.column in self.grouping else (*self.grouping, action.column)
        pair = (action.agg_column, action.agg_func)
        aggregations = self.aggregations if pair in self.aggregations else (*self.aggregations, pair)
        return State(self.filters, grouping, aggregations)


ROOT = State()


@dataclass
class SessionStack:
    """The stack of visited states: FILTER/GROUP push, BACK pops (never below the root).

    STOP resets to the root; callers that treat STOP as the end of a session simply stop feeding
    actions.
    """

    stack: list[State] = field(default_factory=lambda: [ROOT])

    @property
    def current(self) -> State:
        return self.stack[-1]

    @property
    def depth(self) -> int:
        """Number of states above the root."""
        return len(self.stack) - 1

    def apply(self, action: Action) -> State:
        """Apply an action and return the new current state."""
        if isinstance(action, Back):
            if len(self.stack) > 1:
                self.stack.pop()
        elif isinstance(action, Stop):
            self.stack = [ROOT]
        elif isinstance(action, Filter):
            self.stack.append(self.current.with_filter(action))
        elif isinstance(action, Group):
            self.stack.append(self.current.with_group(action))
        else:  # pragma: no cover - the Action union is closed
            raise TypeError(f"not an action: {action!r}")
        return self.current
