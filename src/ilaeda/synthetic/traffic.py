"""Packet rows as integer fields, and their rendering into the cyber schema's columns.

Generators (the background and each planted event) produce :class:`Packets`: one entry per row of
integer-coded fields (host indices into a :class:`Hosts` table, ports, a layer and TCP-flag code, a
length, a timestamp in seconds, a flow id). :func:`render` turns them into the string and float columns
that the benchmark's TSV files hold (``"2024-03-04 08:00:00"``, ``"443.0"``, ``"51234 > 443 [SYN] ..."``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

import numpy as np
import pandas as pd

#: highest_layer codes.
LAYERS = ("TCP", "HTTP", "DNS", "ICMP")
TCP, HTTP, DNS, ICMP = range(len(LAYERS))
#: TCP flag codes (the bracketed part of a TCP info line).
FLAGS = ("SYN", "SYN, ACK", "ACK", "PSH, ACK", "FIN, ACK", "RST", "RST, ACK")
SYN, SYN_ACK, ACK, PSH_ACK, FIN_ACK, RST, RST_ACK = range(len(FLAGS))
#: The capture's first second; a table's timestamps count seconds from here.
EPOCH = datetime(2024, 3, 4, 8, 0, 0)
#: Port value of a row without TCP ports (rendered as a missing cell).
NO_PORT = -1
_DNS_NAMES = ("www.example.com", "mail.example.org", "cdn.example.net", "updates.example.com", "api.example.org")
_HTTP_PATHS = ("/", "/index.html", "/login", "/api/v1/status", "/images/logo.png")


@dataclass
class Hosts:
    """The table's hosts: dotted IP strings and the MAC each one's frames carry (a router's for remote hosts)."""

    ips: list[str] = field(default_factory=list)
    macs: list[str] = field(default_factory=list)

    def add(self, ip: str, mac: str) -> int:
        """Index of a new host."""
        self.ips.append(ip)
        self.macs.append(mac)
        return len(self.ips) - 1


@dataclass
class Packets:
    """Rows as parallel integer arrays (one entry per row)."""

    src: np.ndarray
    dst: np.ndarray
    sport: np.ndarray  # NO_PORT where the row has no TCP ports
    dport: np.ndarray
    layer: np.ndarray
    flags: np.ndarray  # for TCP rows
    length: np.ndarray
    time: np.ndarray  # seconds since EPOCH
    flow: np.ndarray  # rows of one TCP connection share a flow id (>= 0); -1 for rows outside TCP

    def __len__(self) -> int:
        return len(self.src)

    @staticmethod
    def concatenate(parts: list[Packets]) -> Packets:
        return Packets(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Packets)})

    def take(self, order: np.ndarray) -> Packets:
        return Packets(**{f.name: getattr(self, f.name)[order] for f in fields(Packets)})


def tcp_packets(
    src: np.ndarray | int,
    dst: np.ndarray | int,
    sport: np.ndarray | int,
    dport: np.ndarray | int,
    flags: np.ndarray | int,
    length: np.ndarray | int,
    time: np.ndarray,
    flow: np.ndarray,
) -> Packets:
    """TCP rows (highest layer TCP) from their fields; scalars broadcast to the rows."""
    n = len(time)

    def full(values: np.ndarray | int) -> np.ndarray:
        return np.array(np.broadcast_to(np.asarray(values, dtype=np.int64), (n,)))

    return Packets(
        full(src), full(dst), full(sport), full(dport), full(TCP), full(flags), full(length), full(time), full(flow)
    )


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD HH:MM:SS`` of each second (formatted once per distinct second)."""
    distinct, inverse = np.unique(seconds, return_inverse=True)
    stamps = np.datetime64(EPOCH, "s") + distinct.astype("timedelta64[s]")
    text = np.array([t.replace("T", " ") for t in np.datetime_as_string(stamps, unit="s").tolist()], dtype=object)
    return text[inverse]


def _ports(values: np.ndarray) -> np.ndarray:
    return np.where(values == NO_PORT, np.nan, values.astype(np.float64))


def _text(values: np.ndarray) -> np.ndarray:
    """Decimal strings of small non-negative integers (object array; one ``str`` per distinct value)."""
    table = np.array([str(v) for v in range(int(values.max(initial=0)) + 1)], dtype=object)
    return np.asarray(table[np.maximum(values, 0)])


def _info_lines(p: Packets, rng: np.random.Generator) -> np.ndarray:
    """The info line of each row: the TCP summary, an HTTP request line, a DNS query or an ICMP echo."""
    x = rng.integers(0, 1 << 16, len(p))
    lines = np.empty(len(p), dtype=object)
    rows = p.layer == TCP
    flags, length, xs = p.flags[rows], p.length[rows], x[rows]
    payload = np.where(flags == PSH_ACK, np.maximum(length - 54, 0), 0)
    middle = np.array([f" [{f}] Seq=" for f in FLAGS], dtype=object)[flags]
    lines[rows] = (
        _text(p.sport[rows])
        + " > "
        + _text(p.dport[rows])
        + middle
        + _text(xs % 5000)
        + " Win=64240 Len="
        + _text(payload)
    )
    rows = p.layer == HTTP
    lines[rows] = np.array([f"GET {path} HTTP/1.1" for path in _HTTP_PATHS], dtype=object)[x[rows] % len(_HTTP_PATHS)]
    rows = p.layer == DNS
    names = np.array([f" A {name}" for name in _DNS_NAMES], dtype=object)
    hexes = np.array([f"Standard query 0x{v:04x}" for v in range(1 << 16)], dtype=object)
    lines[rows] = hexes[x[rows]] + names[x[rows] % len(_DNS_NAMES)]
    rows = p.layer == ICMP
    seq = x[rows] % 256
    lines[rows] = "Echo (ping) request  id=0x0001, seq=" + _text(seq) + "/" + _text(seq << 8) + ", ttl=64"
    return lines


def render(p: Packets, hosts: Hosts, rng: np.random.Generator) -> pd.DataFrame:
    """The cyber schema's columns of ``p`` (rows in the given order; ``packet_number`` counts from 0)."""
    ips = np.array(hosts.ips, dtype=object)
    macs = np.array(hosts.macs, dtype=object)
    tcp = p.flow >= 0
    stream = np.full(len(p), np.nan)
    stream[tcp] = pd.factorize(p.flow[tcp])[0]  # streams numbered in order of first packet, as a capture does
    columns = {
        "packet_number": np.arange(len(p), dtype=np.int64),
        "eth_dst": macs[p.dst],
        "eth_src": macs[p.src],
        "highest_layer": np.array(LAYERS, dtype=object)[p.layer],
        "info_line": _info_lines(p, rng),
        "ip_dst": ips[p.dst],
        "ip_src": ips[p.src],
        "length": p.length.astype(np.int64),
        "sniff_timestamp": _timestamps(p.time),
        "tcp_dstport": _ports(p.dport),
        "tcp_srcport": _ports(p.sport),
        "tcp_stream": stream,
    }
    return pd.DataFrame({name: pd.Series(values, dtype=values.dtype) for name, values in columns.items()})
