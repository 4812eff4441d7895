"""Background traffic: local clients talking to remote services, in flows (a request and its replies).

The background is *diffuse* by design: host activity is drawn from weights in ``[0.5, 1.5]`` over
:attr:`BackgroundSpec.clients` clients and :attr:`BackgroundSpec.servers` servers, so no background host
holds more than about 2 % of the rows. Planted events are larger than that (see
:mod:`ilaeda.synthetic.events`), which is what makes them the heavy hitters an analyst can find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilaeda.synthetic.traffic import (
    ACK,
    DNS,
    FIN_ACK,
    HTTP,
    ICMP,
    NO_PORT,
    PSH_ACK,
    SYN,
    SYN_ACK,
    TCP,
    Hosts,
    Packets,
)

#: (port, layer, share of flows): the services remote servers offer (port NO_PORT: no TCP ports).
SERVICES = (
    (443, TCP, 0.45),
    (80, TCP, 0.2),
    (22, TCP, 0.05),
    (25, TCP, 0.05),
    (NO_PORT, DNS, 0.15),
    (NO_PORT, ICMP, 0.1),
)
#: First octets of remote servers' addresses (public, none in the ranges events use).
SERVER_OCTETS = (23, 34, 52, 93, 104, 142, 151, 185)
ROUTER_MAC = "00:1a:2b:00:00:01"


@dataclass(frozen=True)
class BackgroundSpec:
    """How many hosts the background has and how long flows are."""

    clients: int = 40
    servers: int = 60
    rows_per_flow: float = 6.0


def local_mac(rng: np.random.Generator) -> str:
    """A random locally administered MAC address."""
    return "02:" + ":".join(f"{b:02x}" for b in rng.integers(0, 256, 5).tolist())


def add_background_hosts(hosts: Hosts, spec: BackgroundSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the clients (``192.168.1.x``) and servers (public addresses) added to ``hosts``."""
    last = rng.choice(np.arange(2, 255), size=spec.clients, replace=False)
    clients = [hosts.add(f"192.168.1.{x}", local_mac(rng)) for x in last.tolist()]
    servers: list[int] = []
    seen: set[str] = set()
    while len(servers) < spec.servers:
        first = SERVER_OCTETS[int(rng.integers(len(SERVER_OCTETS)))]
        ip = f"{first}." + ".".join(str(v) for v in rng.integers(1, 255, 3).tolist())
        if ip not in seen:
            seen.add(ip)
            servers.append(hosts.add(ip, ROUTER_MAC))
    return np.array(clients), np.array(servers)


def _weights(n: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.uniform(0.5, 1.5, n)
    return np.asarray(w / w.sum())


def background(
    n_rows: int,
    span: int,
    clients: np.ndarray,
    servers: np.ndarray,
    spec: BackgroundSpec,
    rng: np.random.Generator,
    first_flow: int,
) -> Packets:
    """``n_rows`` background rows between ``clients`` and ``servers`` over ``span`` seconds; flow ids start
    at ``first_flow``.
    """
    n_flows = max(1, int(n_rows / spec.rows_per_flow))
    service = rng.choice(len(SERVICES), size=n_flows, p=[s[2] for s in SERVICES])
    flow_client = clients[rng.choice(len(clients), size=n_flows, p=_weights(len(clients), rng))]
    flow_server = servers[rng.choice(len(servers), size=n_flows, p=_weights(len(servers), rng))]
    flow_sport = rng.integers(32768, 61000, n_flows)
    flow_start = rng.integers(0, span, n_flows)

    flow = np.sort(rng.integers(0, n_flows, n_rows))
    position = np.arange(n_rows) - np.searchsorted(flow, flow)  # the row's index within its flow
    reply = position % 2 == 1
    port = np.array([s[0] for s in SERVICES])[service[flow]]
    layer = np.array([s[1] for s in SERVICES])[service[flow]]
    has_ports = port != NO_PORT
    client, server, sport = flow_client[flow], flow_server[flow], flow_sport[flow]

    flags = np.select([position == 0, position == 1], [SYN, SYN_ACK], PSH_ACK)
    flags = np.where((position > 1) & (rng.random(n_rows) < 0.3), ACK, flags)
    flags = np.where((position > 2) & (rng.random(n_rows) < 0.05), FIN_ACK, flags)
    layer = np.where((port == 80) & (flags == PSH_ACK) & ~reply & (rng.random(n_rows) < 0.5), HTTP, layer)
    length = np.where(flags == PSH_ACK, rng.integers(60, 1515, n_rows), np.where(flags == SYN, 74, 66))
    length = np.where(layer == DNS, rng.integers(70, 130, n_rows), np.where(layer == ICMP, 98, length))
    return Packets(
        src=np.where(reply, server, client),
        dst=np.where(reply, client, server),
        sport=np.where(has_ports, np.where(reply, port, sport), NO_PORT),
        dport=np.where(has_ports, np.where(reply, sport, port), NO_PORT),
        layer=layer,
        flags=flags,
        length=length,
        time=np.minimum(flow_start[flow] + position, span - 1),
        flow=np.where(has_ports, flow + first_flow, -1),
    )
