#!/usr/bin/env python3
"""Writes test.mmdb: a minimal MaxMind DB (format 2.0, IPv4, 24-bit records) mapping
198.51.100.0/24 (TEST-NET-2) to Tokyo's coordinates and nothing else. No MaxMind database
ships with Cascade; this one lets tests read a real file through libmaxminddb.
Format: https://maxmind.github.io/MaxMind-DB/ (search tree, 16-byte separator, data, metadata).

    python3 tests/data/geoip/make_test_mmdb.py tests/data/geoip/test.mmdb
"""
import struct
import sys


def control(type_, size, payload):
    assert size < 29
    if type_ <= 7:
        return bytes([(type_ << 5) | size]) + payload
    return bytes([size, type_ - 7]) + payload  # extended type


def string(s):
    b = s.encode()
    return control(2, len(b), b)


def double(v):
    return control(3, 8, struct.pack('>d', v))


def uint(type_, v):
    b = v.to_bytes((v.bit_length() + 7) // 8, 'big') if v else b''
    return control(type_, len(b), b)


def mapping(pairs):
    return control(7, len(pairs), b''.join(string(k) + v for k, v in pairs))


def array(items):
    return control(11, len(items), b''.join(items))


PREFIX = (198, 51, 100)
BITS = 24
node_count = BITS
data = mapping([('location', mapping([('latitude', double(35.6762)), ('longitude', double(139.6503))]))])
bits = [(PREFIX[i // 8] >> (7 - i % 8)) & 1 for i in range(BITS)]
tree = b''
for i, bit in enumerate(bits):
    follow = i + 1 if i + 1 < BITS else node_count + 16  # the last bit leads to the data at offset 0
    records = [node_count, node_count]  # node_count: no data
    records[bit] = follow
    tree += b''.join(r.to_bytes(3, 'big') for r in records)
metadata = mapping([
    ('binary_format_major_version', uint(5, 2)),
    ('binary_format_minor_version', uint(5, 0)),
    ('build_epoch', uint(9, 1767225600)),
    ('database_type', string('Cascade-Test-City')),
    ('description', mapping([('en', string('Cascade test: TEST-NET-2'))])),
    ('ip_version', uint(5, 4)),
    ('languages', array([string('en')])),
    ('node_count', uint(6, node_count)),
    ('record_size', uint(5, 24)),
])
with open(sys.argv[1], 'wb') as out:
    out.write(tree + bytes(16) + data + b'\xab\xcd\xefMaxMind.com' + metadata)
