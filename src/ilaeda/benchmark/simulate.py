"""Replay a session through the shared session stack and display engine (the benchmark's simulator).

The result holds everything the metrics need: the token list (root, then per action its display's
token or ``[back]``), the display tree (BACK adds no node and never pops the root), and per step the
state before and after the action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ilaeda.benchmark.tokens import BACK_TOKEN
from ilaeda.data.sessions import Action, Back, Filter, Group, until_stop
from ilaeda.eda.display import Display
from ilaeda.eda.state import ROOT, SessionStack, State


class Engine(Protocol):
    """What the simulator needs from :class:`ilaeda.eda.engine.DisplayEngine`."""

    def display(self, state: State) -> Display: ...


@dataclass(frozen=True)
class Simulation:
    """A replayed session (actions before the first STOP)."""

    actions: tuple[Action, ...]
    tokens: tuple[str, ...]  # len(actions) + 1
    node_displays: tuple[Display, ...]  # display tree nodes in creation order (root first)
    parents: tuple[int, ...]  # parent node of each node (the root's entry is 0)
    states: tuple[State, ...]  # state before step i is states[i]; states[-1] is the final state
    step_nodes: tuple[int, ...]  # node shown after each step (-1 for nothing: never happens)
    back_at_root: int  # BACKs taken while at the root

    @property
    def length(self) -> int:
        """Number of actions before STOP."""
        return len(self.actions)

    @property
    def size(self) -> int:
        """Number of display-tree nodes."""
        return len(self.node_displays)


def simulate(actions: Sequence[Action], engine: Engine) -> Simulation:
    """Replay ``actions`` (cut at the first STOP) from the root view."""
    actions = until_stop(actions)
    stack = SessionStack()
    root = engine.display(ROOT)
    tokens = [root.token]
    displays = [root]
    parents = [0]
    node_stack = [0]
    states = [ROOT]
    step_nodes = []
    back_at_root = 0
    for action in actions:
        if isinstance(action, Back):
            if stack.depth == 0:
                back_at_root += 1
            stack.apply(action)
            if len(node_stack) > 1:
                node_stack.pop()
            tokens.append(BACK_TOKEN)
        elif isinstance(action, (Filter, Group)):
            state = stack.apply(action)
            display = engine.display(state)
            tokens.append(display.token)
            parents.append(node_stack[-1])
            node_stack.append(len(displays))
            displays.append(display)
        else:  # pragma: no cover - the Action union is closed
            raise TypeError(f"not an action: {action!r}")
        states.append(stack.current)
        step_nodes.append(node_stack[-1])
    return Simulation(
        actions, tuple(tokens), tuple(displays), tuple(parents), tuple(states), tuple(step_nodes), back_at_root
    )
