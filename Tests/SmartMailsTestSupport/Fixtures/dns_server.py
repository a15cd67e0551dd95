"""A DNS server for the tests, on loopback UDP and TCP, answering from a JSON zone file read on every query, so
that a test changes its records by rewriting the file. dnslib (PyPI) parses and packs the messages; nothing of
SmartMails is used.

Zone file: {"records": [{"name": "a.example.com", "type": "TXT" | "MX" | "CNAME", "value": "..."}],
            "faults": {"name": "servfail" | "refused" | "silent" | "truncate"}}
A TXT value over 255 bytes is split into several strings, as a DNS host does. "truncate" answers over UDP with TC
set and no records, and fully over TCP. It exits when its standard input closes.
"""
import argparse
import json
import socket
import socketserver
import sys
import threading

from dnslib import CNAME, MX, QTYPE, RCODE, RR, TXT, DNSRecord


def answer(data, zone_path, over_tcp):
    request = DNSRecord.parse(data)
    reply = request.reply()
    with open(zone_path) as handle:
        zone = json.load(handle)
    qname = str(request.q.qname).rstrip(".").lower()
    fault = zone.get("faults", {}).get(qname)
    if fault == "silent":
        return None
    if fault in ("servfail", "refused"):
        reply.header.rcode = RCODE.SERVFAIL if fault == "servfail" else RCODE.REFUSED
        return reply.pack()
    if fault == "truncate" and not over_tcp:
        reply.header.tc = 1
        return reply.pack()
    names = {record["name"].rstrip(".").lower() for record in zone.get("records", [])}
    # Follow a CNAME as a recursive server does: the alias first, then the target's records.
    name, hops = qname, 0
    while hops < 8:
        aliases = [r for r in zone.get("records", []) if r["name"].rstrip(".").lower() == name and r["type"] == "CNAME"]
        if not aliases or request.q.qtype == QTYPE.CNAME:
            break
        target = aliases[0]["value"].rstrip(".").lower()
        reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(target), ttl=60))
        name, hops = target, hops + 1
    for record in zone.get("records", []):
        if record["name"].rstrip(".").lower() != name or QTYPE.get(request.q.qtype) != record["type"]:
            continue
        if record["type"] == "TXT":
            raw = record["value"].encode()
            chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
            reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        elif record["type"] == "MX":
            preference, exchange = record["value"].split()
            reply.add_answer(RR(name, QTYPE.MX, rdata=MX(exchange, int(preference)), ttl=60))
        elif record["type"] == "CNAME":
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(record["value"]), ttl=60))
    if not reply.rr and qname not in names and name == qname:
        reply.header.rcode = RCODE.NXDOMAIN
    return reply.pack()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zone", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()

    class UDPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            out = answer(data, args.zone, over_tcp=False)
            if out is not None:
                sock.sendto(out, self.client_address)

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            length = int.from_bytes(self.request.recv(2), "big")
            data = b""
            while len(data) < length:
                chunk = self.request.recv(length - len(data))
                if not chunk:
                    return
                data += chunk
            out = answer(data, args.zone, over_tcp=True)
            if out is not None:
                self.request.sendall(len(out).to_bytes(2, "big") + out)

    udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), UDPHandler)
    port = udp.server_address[1]
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), TCPHandler)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(args.port_file + ".tmp", "w") as handle:
        handle.write(str(port))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    sys.stdin.read()


if __name__ == "__main__":
    main()
