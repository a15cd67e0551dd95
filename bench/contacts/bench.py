#!/usr/bin/env python3
"""Helpers for bench/contacts/run.sh (standard library only).

  generate  ROWS CSV BATCH_DIR BATCH_REQUESTS BATCH_SIZE META
            Writes the CSV of ROWS contacts, BATCH_REQUESTS JSON bodies of BATCH_SIZE new contacts each (addresses
            that are not in the CSV) for POST /v1/contacts/batch, and META: a JSON object with the segment rule and
            the number of CSV rows it matches (so the benchmark can check the server's count). Deterministic (seeded).
  batch     BASE KEY BATCH_DIR BATCH_REQUESTS BATCH_SIZE
            Sends the bodies one after the other on one keep-alive connection; prints
            "<seconds> <created> <updated> <unchanged> <failed>". Only the requests are timed: each body is read
            before its request and each answer is parsed after it.
  dburl     URL NAME   Prints URL with its database (the path) replaced by NAME.
  dbname    URL        Prints URL's database name.
  median    VALUES...  Prints the median.
"""
import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.parse

FIRST = ["Ana", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jules", "Kemal", "Lena", "Marta",
         "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Vera", "Wen", "Yusuf", "Zoe"]
LAST = ["Andersen", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen", "Kim",
        "Lopez", "Müller", "Novak", "Okafor", "Petrov", "Quintero", "Rossi", "Silva", "Tanaka", "Urban", "Virtanen",
        "Weber", "Yilmaz", "Zhang"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka", "Tyrell",
                 "Cyberdyne", "Soylent", "Aperture", "Monarch", "Oscorp", "Pied Piper", "Gringotts", "Nakatomi"]
COMPANY_SUFFIXES = ["Inc", "GmbH", "Ltd", "Labs", "AG", "SA", "Group", "& Co"]
PLANS = ["pro", "free", "team"]
PLAN_WEIGHTS = [3, 5, 2]
SECOND_TAGS = ["newsletter", "beta", "promo"]
# 2023-01-01T00:00:00Z and three years of seconds.
SIGNUP_START = 1672531200
SIGNUP_SPAN = 3 * 365 * 86400

# About 30 % pro x 20 % vip x 50/62 aged 30+: some 5 % of the contacts.
RULE = {"all": [
    {"field": "attributes.plan", "op": "eq", "value": "pro"},
    {"field": "tags", "op": "contains", "value": "vip"},
    {"field": "attributes.age", "op": "gte", "value": 30},
]}


def contact(rng, prefix, index):
    """One contact's fields: (email, first, last, external_id, company, age, vip, signup, plan, tags)."""
    first = rng.choice(FIRST)
    last = rng.choice(LAST)
    company = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIXES)} {rng.randrange(100)}"
    age = rng.randrange(18, 80)
    vip = rng.random() < 0.1
    signup = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(SIGNUP_START + rng.randrange(SIGNUP_SPAN)))
    plan = rng.choices(PLANS, PLAN_WEIGHTS)[0]
    tags = ["vip" if rng.random() < 0.2 else "regular", rng.choice(SECOND_TAGS)]
    email = f"{first.lower()}.{prefix}{index}@{company.split()[0].lower()}.example"
    return email, first, last, f"{prefix}{index}", company, age, vip, signup, plan, tags


def matches(plan, tags, age):
    return plan == "pro" and "vip" in tags and age >= 30


def generate(rows, csv_path, batch_dir, batch_requests, batch_size, meta_path):
    rng = random.Random(20240501)
    matching = 0
    with open(csv_path, "w", encoding="utf-8", newline="") as out:
        out.write("email,first_name,last_name,external_id,company,age,vip,signup,plan,tags\n")
        lines = []
        for index in range(rows):
            email, first, last, ext, company, age, vip, signup, plan, tags = contact(rng, "c", index)
            matching += matches(plan, tags, age)
            # No field holds a comma, a quote or a line break, so none needs quoting.
            lines.append(f"{email},{first},{last},{ext},{company},{age},{'true' if vip else 'false'},{signup},{plan},{';'.join(tags)}\n")
            if len(lines) >= 10000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))
    os.makedirs(batch_dir, exist_ok=True)
    for request in range(batch_requests):
        items = []
        for index in range(batch_size):
            email, first, last, ext, company, age, vip, signup, plan, tags = contact(rng, f"b{request}x", index)
            items.append({"email": email, "first_name": first, "last_name": last, "external_id": ext,
                          "attributes": {"company": company, "age": age, "vip": vip, "signup": signup, "plan": plan},
                          "tags": tags})
        with open(os.path.join(batch_dir, f"{request}.json"), "w", encoding="utf-8") as out:
            json.dump({"contacts": items}, out, ensure_ascii=False, separators=(",", ":"))
    with open(meta_path, "w", encoding="utf-8") as out:
        json.dump({"rows": rows, "rule": RULE, "rule_matches": matching}, out)


def batch(base, key, batch_dir, batch_requests, batch_size):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    elapsed = 0.0
    totals = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for request in range(batch_requests):
        with open(os.path.join(batch_dir, f"{request}.json"), "rb") as body_file:
            body = body_file.read()
        started = time.perf_counter()
        connection.request("POST", "/v1/contacts/batch", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        elapsed += time.perf_counter() - started
        if response.status != 200:
            sys.exit(f"batch request {request} answered {response.status}: {answer[:500]!r}")
        result = json.loads(answer)
        for name in totals:
            totals[name] += int(result.get(name, 0))
        if len(result.get("data", [])) != batch_size:
            sys.exit(f"batch request {request} answered {len(result.get('data', []))} results for {batch_size} items")
    connection.close()
    print(f"{elapsed:.6f} {totals['created']} {totals['updated']} {totals['unchanged']} {totals['failed']}")


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "generate":
        generate(int(args[0]), args[1], args[2], int(args[3]), int(args[4]), args[5])
    elif command == "batch":
        batch(args[0], args[1], args[2], int(args[3]), int(args[4]))
    elif command == "dburl":
        parts = urllib.parse.urlsplit(args[0])
        print(urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(args[1]))))
    elif command == "dbname":
        print(urllib.parse.unquote(urllib.parse.urlsplit(args[0]).path.lstrip("/")) or "postgres")
    elif command == "median":
        print(statistics.median(float(value) for value in args))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
