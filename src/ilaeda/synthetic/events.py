"""Planted events: rows with a known signature, added to the background traffic.

Three kinds (each a share of the table's rows, at least :data:`MIN_EVENT_ROWS`):

* ``port_scan``: one remote scanner (``203.0.113.x``, a host of nothing else) sends SYN probes to many
  distinct ``tcp_dstport`` of one local client, 20 probes a second. Signature: ``ip_src`` = scanner and
  ``ip_dst`` = target.
* ``beaconing``: a local client (which also has ordinary traffic) connects to a remote command server
  (``198.51.100.x``) on one port at a fixed period that spans the capture. Signature: ``ip_src``, ``ip_dst``
  and ``tcp_dstport``.
* ``failed_burst``: local clients fail to connect to one local service (``192.168.10.x``, port 3389):
  SYN, retransmitted SYN, RST, five rows a second. Signature: ``ip_dst`` and ``tcp_dstport``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ilaeda.data.sessions import Filter
from ilaeda.synthetic.background import ROUTER_MAC, local_mac
from ilaeda.synthetic.traffic import PSH_ACK, RST, SYN, Hosts, Packets, tcp_packets

#: The smallest event, in rows.
MIN_EVENT_ROWS = 20
#: Each kind's default share of the table's rows.
DEFAULT_SHARES = {"port_scan": 0.08, "beaconing": 0.04, "failed_burst": 0.05}
EVENT_KINDS = tuple(DEFAULT_SHARES)


@dataclass(frozen=True)
class Context:
    """What an event generator may use: the table's span, hosts, background clients and its own number."""

    span: int
    hosts: Hosts
    clients: np.ndarray
    number: int  # 1-based among the table's events; keeps the hosts of two events of one kind apart
    first_flow: int


@dataclass(frozen=True)
class EventInfo:
    """What an event is: its kind, parameters and signature (filters that select exactly its rows)."""

    kind: str
    parameters: dict[str, Any]
    signature: tuple[Filter, ...]


@dataclass(frozen=True)
class Planted(EventInfo):
    """An event as generated: its description and its rows (as packets)."""

    packets: Packets


def _port(value: int) -> str:
    return str(float(value))  # how a float port column renders, e.g. "3389.0"


def port_scan(n: int, ctx: Context, rng: np.random.Generator) -> Planted:
    """``n`` SYN probes from a new remote host to distinct ports of one client."""
    scanner = f"203.0.113.{ctx.number}"
    src = ctx.hosts.add(scanner, ROUTER_MAC)
    dst = int(ctx.clients[rng.integers(len(ctx.clients))])
    ports = rng.permutation(65535)[np.arange(n) % 65535] + 1
    sport = int(rng.integers(40000, 65000))
    start = int(rng.integers(0, max(1, ctx.span - n // 20)))
    time = start + np.arange(n) // 20
    packets = tcp_packets(src, dst, sport, ports, SYN, 58, time, ctx.first_flow + np.arange(n))
    target = ctx.hosts.ips[dst]
    params = {"scanner": scanner, "target": target, "probes": n, "probes_per_second": 20, "start_second": start}
    return Planted("port_scan", params, (Filter("ip_src", "EQ", scanner), Filter("ip_dst", "EQ", target)), packets)


def beaconing(n: int, ctx: Context, rng: np.random.Generator) -> Planted:
    """``n`` connections of one client to a new remote server and port, one per period."""
    host = int(ctx.clients[rng.integers(len(ctx.clients))])
    server = f"198.51.100.{ctx.number}"
    dst = ctx.hosts.add(server, ROUTER_MAC)
    port = int(rng.choice([4444, 8080, 8443]))
    period = max(1, ctx.span // (n + 1))
    start = int(rng.integers(0, period))
    sport = rng.integers(32768, 61000, n)
    packets = tcp_packets(
        host, dst, sport, port, PSH_ACK, 310, start + period * np.arange(n), ctx.first_flow + np.arange(n)
    )
    params = {"host": ctx.hosts.ips[host], "server": server, "port": port, "period_seconds": period, "beacons": n}
    signature = (
        Filter("ip_src", "EQ", ctx.hosts.ips[host]),
        Filter("ip_dst", "EQ", server),
        Filter("tcp_dstport", "EQ", _port(port)),
    )
    return Planted("beaconing", params, signature, packets)


def failed_burst(n: int, ctx: Context, rng: np.random.Generator) -> Planted:
    """``n`` rows of failed connection attempts (SYN, SYN, RST) of clients to a new local service."""
    service = f"192.168.10.{ctx.number}"
    dst = ctx.hosts.add(service, local_mac(rng))
    port = 3389
    attempt = np.arange(n) // 3
    src = ctx.clients[rng.integers(len(ctx.clients), size=attempt[-1] + 1)][attempt]
    sport = rng.integers(32768, 61000, attempt[-1] + 1)[attempt]
    flags = np.where(np.arange(n) % 3 == 2, RST, SYN)
    start = int(rng.integers(0, max(1, ctx.span - n // 5)))
    packets = tcp_packets(
        src,
        dst,
        sport,
        port,
        flags,
        np.where(flags == RST, 54, 66),
        start + np.arange(n) // 5,
        ctx.first_flow + attempt,
    )
    params = {"service": service, "port": port, "attempts": int(attempt[-1] + 1), "rows": n, "start_second": start}
    return Planted(
        "failed_burst", params, (Filter("ip_dst", "EQ", service), Filter("tcp_dstport", "EQ", _port(port))), packets
    )


GENERATORS: dict[str, Callable[[int, Context, np.random.Generator], Planted]] = {
    "port_scan": port_scan,
    "beaconing": beaconing,
    "failed_burst": failed_burst,
}


def event_rows(kind: str, table_rows: int) -> int:
    """Rows of an event of ``kind`` in a table of ``table_rows`` rows."""
    return max(MIN_EVENT_ROWS, int(DEFAULT_SHARES[kind] * table_rows))
