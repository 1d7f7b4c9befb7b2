"""line-protocol: a maestro lifecycle check written in Python.

Ready when the container answers a one-line request with the expected text, as
Redis (`PING` -> `+PONG`), memcached (`version` -> `VERSION`) or any line-based
protocol does. One attempt per call: maestro owns the retries and the deadline.

Options (in the environment file, next to `type: line-protocol`):
  port:    the name of one of the container's ports (required)
  send:    the line to send (default: PING)
  expect:  text the answer must contain (default: PONG)
"""

import json
import socket

import encodings.idna  # noqa: F401  (socket needs it; componentize-py does not find it alone)

from wit_world import exports
from wit_world.exports.probe import Outcome_Failed, Outcome_NotReady, Outcome_Ready
from wit_world.imports import log


class Probe(exports.Probe):
    def probe(self, target):
        options = json.loads(target.options)
        name = str(options.get("port", ""))
        port = next((p for p in target.ports if p.name == name), None)
        if port is None:
            return Outcome_Failed(f"the container has no port named {name!r}")
        send = str(options.get("send", "PING"))
        expect = str(options.get("expect", "PONG"))
        try:
            # socket() + connect(): name lookups are off, the address is an IP.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(2.0)
            sock.connect((target.address, port.external))
            sock.sendall((send + "\r\n").encode())
            answer = sock.recv(4096).decode(errors="replace")
            sock.close()
        except OSError as error:
            return Outcome_NotReady(f"{target.address}:{port.external}: {error}")
        log.write(log.Level.DEBUG, f"{send!r} -> {answer.strip()!r}")
        if expect in answer:
            return Outcome_Ready()
        return Outcome_NotReady(f"answered {answer.strip()!r}, expected {expect!r}")
