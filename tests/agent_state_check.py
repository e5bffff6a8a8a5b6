#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# agent_state_check.py SCHEMA_DIR MESSAGE METADATA: the message callfence run
# sent to a seccomp agent is runtime-spec's container process state: its
# "state" validates against SCHEMA_DIR/state-schema.json (the OCI schema,
# its defs.json resolved next to it), "fds" is ["seccompFd"], "pid" is the
# state's, "status" is "creating", "metadata" is METADATA. Exit 0 = holds.
import json
import os
import sys

import jsonschema

schema_dir = os.path.abspath(sys.argv[1])
schema = json.load(open(os.path.join(schema_dir, "state-schema.json")))
msg = json.load(open(sys.argv[2]))
resolver = jsonschema.RefResolver("file://" + schema_dir + "/", schema)
jsonschema.Draft4Validator(schema, resolver=resolver).validate(msg["state"])
assert msg["ociVersion"] == msg["state"]["ociVersion"], msg
assert msg["fds"] == ["seccompFd"], msg
assert isinstance(msg["pid"], int) and msg["pid"] > 0, msg
assert msg["pid"] == msg["state"]["pid"], msg
assert msg["state"]["status"] == "creating", msg
assert msg["state"]["id"] == "callfence-run-%d" % msg["pid"], msg
assert os.path.isabs(msg["state"]["bundle"]), msg
assert msg.get("metadata") == sys.argv[3], msg
print("ok: state validates against state-schema.json:", json.dumps(msg))
