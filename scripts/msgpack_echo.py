#!/usr/bin/env python3
"""Reads msgpack values (each a 4-byte big-endian length, then the bytes) from stdin, and for each
writes back Python's msgpack re-encoding of the decoded value, framed the same way. The tests use
it to check Nodeflow's codec against Python's msgpack in both directions. Needs PyPI's `msgpack`.
"""
import struct, sys
import msgpack

def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(4)
        if len(header) < 4:
            return
        (n,) = struct.unpack(">I", header)
        value = msgpack.unpackb(stdin.read(n), raw=False, strict_map_key=False, timestamp=0)
        out = msgpack.packb(value, use_bin_type=True)
        stdout.write(struct.pack(">I", len(out)) + out)
        stdout.flush()

if __name__ == "__main__":
    main()
