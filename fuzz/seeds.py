#!/usr/bin/env python3
"""Turns the byte streams of recorded sessions into seeds for the frame fuzz targets.

usage: seeds.py device|host_frames RECORDINGS SEEDS

RECORDINGS holds in-N (what the host sent to the device) and out-N (what the device sent back)
for each session. For `device`, each session's host frames become the harness's schedule records
(runtime/tests/fuzz/fuzz_device.c), cut into seeds of at most MAX bytes, each but the first
beginning with the session's HELLO. For `host_frames`, the device's bytes feed the deframer part,
and a few scripts drive the scripted-device part (fuzz/src/script.rs).
"""
import os
import struct
import sys

MAX = 8000
MAGIC = 0xB5


def frames(data):
    """The frames of a clean stream: (kind, seq, reply_to, payload)."""
    out, i = [], 0
    while i + 6 <= len(data):
        if data[i] != MAGIC:
            i += 1
            continue
        kind, seq, reply_to = data[i + 1], data[i + 2], data[i + 3]
        (length,) = struct.unpack_from("<H", data, i + 4)
        end = i + 6 + length + 4
        if end > len(data):
            break
        out.append((kind, seq, reply_to, data[i + 6 : i + 6 + length]))
        i = end
    return out


def record(frame, gap=1):
    kind, seq, reply_to, payload = frame
    return bytes([0x80 | gap, kind, seq, reply_to]) + struct.pack("<H", len(payload)) + payload


def device_seeds(sessions, dest):
    n = 0
    for name, data in sessions:
        fs = frames(data)
        hello = [f for f in fs if f[0] == 0x01][:1]
        seed = bytearray(4)
        for f in fs:
            r = record(f)
            if len(seed) + len(r) > MAX and len(seed) > 4:
                write(dest, f"{name}-{n}", seed)
                n += 1
                seed = bytearray(4) + b"".join(record(h) for h in hello)
            seed += r
        write(dest, f"{name}-{n}", seed)
        n += 1


def host_seeds(sessions, dest):
    for name, data in sessions:
        for piece in (0, 7, 63):
            write(dest, f"{name}-{piece}", bytes([0, piece]) + data[:MAX])
    # The scripted device: a good device (step 7), with acknowledgements, duplicates, damaged
    # frames and silences in between.
    scripts = {
        "good": [7] * 40,
        "good-calls": [7, 7, 15, 7, 23, 7, 7, 7, 7, 7, 7, 15, 7] * 3,
        "acks-then-replies": [0, 7, 0, 1, 1, 7, 4, 7, 5, 7, 6, 3, 9, 7] * 3,
        "noise": [3, 8, 0xB5, 1, 2, 3, 4, 5, 6, 7, 7, 7, 2, 0x82, 0, 1, 9, 7, 7],
    }
    for name, script in scripts.items():
        write(dest, f"script-{name}", bytes([1]) + bytes(script))


def write(dest, name, data):
    with open(os.path.join(dest, name), "wb") as f:
        f.write(bytes(data))


def main():
    target, rec, dest = sys.argv[1:4]
    prefix = "in-" if target == "device" else "out-"
    sessions = []
    for name in sorted(os.listdir(rec)):
        if name.startswith(prefix):
            with open(os.path.join(rec, name), "rb") as f:
                data = f.read()
            if data:
                sessions.append((name, data))
    if target == "device":
        device_seeds(sessions, dest)
    else:
        host_seeds(sessions, dest)


if __name__ == "__main__":
    main()
