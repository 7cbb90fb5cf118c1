#!/usr/bin/env python3
"""The wire between the network namespaces of test/helpers/netns.ts: a userspace link emulator.

Each host (a node's namespace, and the test process's "control" address in the root namespace) has one
TUN device whose file descriptor this process holds. Every IPv4 packet a host's kernel sends out of its
TUN device is read here and written into the destination host's TUN device — after a one-way delay
(base +/- uniform jitter, per-link FIFO so TCP does not see reordering), unless it is lost (independent
Bernoulli loss per packet) or the two hosts are on different sides of a partition (silently dropped, like
a cut cable). Packets to or from the control address are forwarded at once and never dropped: the test
process observes the federation, it is not part of it. Packets to any address that is not a host here are
dropped, so nothing leaves the namespaces the harness made.

This does in userspace what `tc qdisc ... netem delay D J loss L` does in the kernel, for kernels built
without sch_netem (CONFIG_NET_SCH_NETEM is not set on the CI machines).

Commands, one JSON object per line on stdin; one JSON answer per line on stdout:
  {"op": "add", "name": IFNAME, "addr": "10.77.1.2"}          create TUN device IFNAME for addr
  {"op": "control", "addr": "10.77.1.254"}                    the observer's address (never impaired)
  {"op": "links", "delayMs": 25, "jitterMs": 5, "loss": 0.01} one-way impairment between hosts
  {"op": "partition", "groups": [["10.77.1.2"], ["10.77.1.3"]]} drop between groups (and hosts in none)
  {"op": "isolate", "addr": "10.77.1.2"}                     same as a partition of that host from all
  {"op": "heal"}                                              no partition
  {"op": "stats"}                                             counters
  {"op": "quit"}
Exits when stdin closes (the test process died): the TUN devices go with it.
"""
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65536

fds = {}  # addr (4 bytes) -> fd
names = {}  # fd -> addr
control = None
links = {"delay": 0.0, "jitter": 0.0, "loss": 0.0}
side = None  # addr -> group index, or None when healed
queue = []  # (due, seq, fd, packet)
last_due = {}  # (src, dst) -> due of the last packet queued on that link
seq = 0
stats = {"forwarded": 0, "lost": 0, "partitioned": 0, "unroutable": 0, "queued": 0}
rng = random.Random(int(os.environ.get("NETWIRE_SEED", "0")) or None)


def ip(text):
    parts = [int(p) for p in text.split(".")]
    if len(parts) != 4 or any(p < 0 or p > 255 for p in parts):
        raise ValueError("bad IPv4 address " + text)
    return bytes(parts)


def add_tun(name, addr):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    ifr = struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    fds[addr] = fd
    names[fd] = addr


def blocked(src, dst):
    if side is None:
        return False
    a = side.get(src)
    b = side.get(dst)
    return a is None or b is None or a != b


def on_packet(packet):
    global seq
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return  # not IPv4 (IPv6 router solicitations and the like): not carried
    src = packet[12:16]
    dst = packet[16:20]
    out = fds.get(dst)
    if out is None:
        stats["unroutable"] += 1
        return
    now = time.monotonic()
    if src == control or dst == control:
        due = now
    else:
        if blocked(src, dst):
            stats["partitioned"] += 1
            return
        if links["loss"] > 0 and rng.random() < links["loss"]:
            stats["lost"] += 1
            return
        d = links["delay"] + (rng.uniform(-links["jitter"], links["jitter"]) if links["jitter"] > 0 else 0.0)
        due = max(now + max(d, 0.0), last_due.get((src, dst), 0.0))
        last_due[(src, dst)] = due
    if due <= now and not queue:
        send(out, packet)
        return
    seq += 1
    stats["queued"] += 1
    heapq.heappush(queue, (due, seq, out, packet))


def send(fd, packet):
    try:
        os.write(fd, packet)
        stats["forwarded"] += 1
    except OSError:
        stats["unroutable"] += 1


def command(line):
    global control, side
    msg = json.loads(line)
    op = msg.get("op")
    if op == "add":
        add_tun(msg["name"], ip(msg["addr"]))
    elif op == "control":
        control = ip(msg["addr"])
    elif op == "links":
        links["delay"] = float(msg.get("delayMs", 0)) / 1000
        links["jitter"] = float(msg.get("jitterMs", 0)) / 1000
        links["loss"] = float(msg.get("loss", 0))
    elif op == "partition":
        side = {}
        for i, group in enumerate(msg["groups"]):
            for a in group:
                side[ip(a)] = i
    elif op == "isolate":
        side = {a: 0 for a in fds if a != ip(msg["addr"])}
    elif op == "heal":
        side = None
    elif op == "stats":
        return {"ok": True, "stats": stats}
    elif op == "quit":
        sys.exit(0)
    else:
        raise ValueError("unknown op " + str(op))
    return {"ok": True}


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    stdin = sys.stdin.fileno()
    pending = b""
    reply({"ok": True, "ready": True})
    while True:
        timeout = None
        if queue:
            timeout = max(0.0, queue[0][0] - time.monotonic())
        readable, _, _ = select.select([stdin] + list(names), [], [], timeout)
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if not line.strip():
                        continue
                    try:
                        reply(command(line))
                    except (ValueError, KeyError, OSError, TypeError) as err:
                        reply({"ok": False, "error": str(err)})
                continue
            for _ in range(64):
                try:
                    packet = os.read(fd, MAX_PACKET)
                except BlockingIOError:
                    break
                on_packet(packet)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, packet = heapq.heappop(queue)
            send(out, packet)


if __name__ == "__main__":
    main()
