#!/usr/bin/python3
"""Hold connections to cxlnicd's control socket, as the caller it runs as.

    ctl-conns.py SOCKET COUNT OUT

Connects COUNT times at once, then for 2 s takes what cxlnicd says unasked:
a connection refused at accept gets one varlink error reply (NUL-ended)
and is closed.  Writes OUT.opened, a JSON array with one object per
connection in connect order: {"refused": ERROR or null, "after_s": seconds
from connect to the refusal}, ERROR the error's name.
A refused connection is one cxlnicd closed in that time ("" when it said
nothing); one told something but left open is an error.

The connections left open are then kept alive with a call of Status every
2 s (each must get a reply with no error) until the file OUT.release
exists; from their last reply on they send nothing, and OUT.closed says,
for each, what error cxlnicd sent before it closed the connection
("error") and how long after
that last reply it did ("idle_s").  With OUT.release there before the start
they send nothing at all, and "idle_s" counts from the connect.  Exit 0 once every connection is closed
(at most 60 s after the release), 1 on anything unexpected.
"""
import json
import os
import select
import socket
import sys
import time

REFUSAL_WAIT_S = 2.0
KEEPALIVE_S = 2.0
CLOSE_WAIT_S = 60.0


def write_json(path, obj):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f)
    os.rename(path + ".tmp", path)


STATUS = b'{"method":"io.cxlnic.Daemon.Status","parameters":{}}\0'


def parse(buf):
    """One NUL-ended varlink message."""
    if not buf.endswith(b"\0"):
        sys.exit(f"ctl-conns: not one NUL-ended message: {buf!r}")
    return json.loads(buf[:-1])


def read_message(sock, deadline):
    """One message from sock, or None when it closes first or time runs out."""
    buf = b""
    while not buf.endswith(b"\0"):
        left = max(deadline - time.monotonic(), 0)
        if not select.select([sock], [], [], left)[0]:
            return None
        data = sock.recv(4096)
        if not data:
            return None
        buf += data
    return parse(buf)


def refusals(socks, started):
    """What each connection was told unasked within REFUSAL_WAIT_S."""
    out = [{"refused": None, "after_s": None} for _ in socks]
    bufs = [b"" for _ in socks]
    pending = dict(enumerate(socks))
    deadline = time.monotonic() + REFUSAL_WAIT_S
    while pending:
        left = max(deadline - time.monotonic(), 0)
        ready = select.select(list(pending.values()), [], [], left)[0]
        if not ready:
            break
        for i in [i for i, s in pending.items() if s in ready]:
            data = pending[i].recv(4096)
            bufs[i] += data
            if data:
                continue
            # Closed: what it was told ("" for nothing), and when.
            msg = parse(bufs[i]) if bufs[i] else {"error": ""}
            if "error" not in msg:
                sys.exit(f"ctl-conns: connection {i} said {msg} unasked")
            out[i] = {"refused": msg["error"],
                      "after_s": round(time.monotonic() - started[i], 3)}
            del pending[i]
    for i in pending:
        if bufs[i]:
            sys.exit(f"ctl-conns: connection {i} said {bufs[i]} but stayed open")
    return out


def keep_alive(socks, release):
    """A call on each every KEEPALIVE_S until @release; last replies."""
    last = {}
    while True:
        for i, s in socks.items():
            s.sendall(STATUS)
            reply = read_message(s, time.monotonic() + 10)
            if not reply or "error" in reply:
                sys.exit(f"ctl-conns: connection {i}: status got {reply}")
            last[i] = time.monotonic()
        if os.path.exists(release):
            return last
        time.sleep(KEEPALIVE_S)


def closes(socks, last):
    """How long after its last reply each connection was closed, and why."""
    pending = dict(socks)
    bufs = {i: b"" for i in socks}
    out = {}
    deadline = time.monotonic() + CLOSE_WAIT_S
    while pending:
        left = deadline - time.monotonic()
        ready = select.select(list(pending.values()), [], [], max(left, 0))[0]
        if not ready:
            sys.exit(f"ctl-conns: connections {sorted(pending)} still open")
        for i in [i for i, s in pending.items() if s in ready]:
            data = pending[i].recv(4096)
            if data:
                bufs[i] += data
                continue
            msg = parse(bufs[i]) if bufs[i] else {}
            out[i] = {"error": msg.get("error"),
                      "idle_s": round(time.monotonic() - last[i], 3)}
            del pending[i]
    return [out[i] for i in sorted(out)]


def main():
    path, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    socks, started = [], []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        socks.append(s)
        started.append(time.monotonic())
    told = refusals(socks, started)
    write_json(out + ".opened", told)
    held = {i: s for i, s in enumerate(socks) if told[i]["refused"] is None}
    if os.path.exists(out + ".release"):
        # Released before the start: nothing is ever sent.
        last = {i: started[i] for i in held}
    else:
        last = keep_alive(held, out + ".release") if held else {}
    write_json(out + ".closed", closes(held, last))


if __name__ == "__main__":
    main()
