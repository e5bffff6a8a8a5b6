#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# complain_check.py SCHEMA REPORT [KEY=VALUE...]: validates a
# `callfence run --complain=FILE` report against docs/complain.schema.json,
# then asserts that the report has method=M (if given) and that one finding
# matches every other KEY=VALUE: syscall=a|b (one of), pointer=null|/ptr,
# line=N, action=S, errno=N, outer=null|ACTION (the outer filter's
# action), certain=true|false (the outer filter's). Exit 0 = all hold.
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
jsonschema.validate(report, schema)
want = dict(a.split("=", 1) for a in sys.argv[3:])
method = want.pop("method", None)
if method is not None and report["method"] != method:
    sys.exit("method is %r, not %r" % (report["method"], method))


def matches(f):
    d = f["decided_by"]
    for k, v in want.items():
        if k == "syscall" and f["syscall"] not in v.split("|"):
            return False
        if k == "pointer" and (d["pointer"] or "null") != v:
            return False
        if k == "rule" and not str(d["pointer"]).startswith(v + "/") \
                and d["pointer"] != v:
            return False
        if k == "line" and d["line"] != int(v):
            return False
        if k == "action" and f["action"] != v:
            return False
        if k == "errno" and f["errno"] != int(v):
            return False
        o = f["outer_filter"]
        if k == "outer" and (o["action"] if o else "null") != v:
            return False
        if k == "certain" and (not o or str(o["certain"]).lower() != v):
            return False
    return True


if want and not any(matches(f) for f in report["findings"]):
    sys.exit("no finding matches %r in %s" % (want, json.dumps(report)))
