#!/usr/bin/env python3
"""Prints every closed window of stream-pipeline as it happens, one JSON object per line on stdout.

It speaks the Vert.x TCP event-bus bridge protocol with nothing but the standard library: each frame is a
4-byte big-endian length followed by that many bytes of UTF-8 JSON. It registers for the address
live.windows.closed (pass --stats to get the dashboard's live figures from dashboard.stats instead), then
prints the body of each message. Status lines go to stderr.

    python3 examples/live_windows.py [--host 127.0.0.1] [--port 7000] [--stats]

Windows arrive at least once (the same window_id may come again, with the same figures): upsert by window_id.
"""
import argparse
import json
import socket
import struct
import sys

WINDOWS = "live.windows.closed"
STATS = "dashboard.stats"


def send_frame(sock, message):
    data = json.dumps(message).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def read_exactly(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(n)
        if not chunk:
            raise ConnectionError("the pipeline closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    (length,) = struct.unpack(">I", read_exactly(sock, 4))
    return json.loads(read_exactly(sock, length).decode("utf-8"))


def main():
    parser = argparse.ArgumentParser(description="Print stream-pipeline's closed windows as they happen.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--stats", action="store_true", help="print the live stats instead of the windows")
    args = parser.parse_args()
    address = STATS if args.stats else WINDOWS

    with socket.create_connection((args.host, args.port)) as sock:
        send_frame(sock, {"type": "register", "address": address, "headers": {}})
        # Frames are handled in order: the pong means the registration is in place.
        send_frame(sock, {"type": "ping"})
        while True:
            frame = read_frame(sock)
            kind = frame.get("type")
            if kind == "pong":
                print(f"listening on {address} at {args.host}:{args.port}", file=sys.stderr, flush=True)
            elif kind == "message":
                print(json.dumps(frame.get("body"), separators=(",", ":")), flush=True)
            elif kind == "err":
                print(f"refused: {frame.get('message')}", file=sys.stderr, flush=True)
                return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ConnectionError, OSError) as e:
        print(f"connection ended: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(0)
