#!/bin/sh
# Records the realistic syscall mix (bench/mix.tsv) that weights the "mean"
# instruction counts of `make bench`. Run by hand from the repository root;
# needs strace, gcc, python3 (with sqlite3) and tar. Each workload runs under
# `strace -f -c` (every process and thread, x86_64); the per-syscall call
# counts of the four workloads are summed.
#
#   bench/record-mix.sh > bench/mix.tsv
set -eu
tmp=$(mktemp -d)
# the system interpreter: a version manager's shim would add its own
# processes to the mix
py=$(command -v /usr/bin/python3 || command -v python3)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/sqlite.py" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("create table t (k integer primary key, v text)")
for i in range(200):
    db.executemany("insert into t (v) values (?)",
                   [("row %d %d" % (i, j),) for j in range(50)])
    db.commit()
db.execute("create index iv on t (v)")
print(db.execute("select count(*) from t where v like 'row 1%'").fetchone())
db.close()
PY

# record NAME COMMAND: COMMAND runs through sh -c under strace
record() {
	strace -f -c -o "$tmp/$1.txt" sh -c "$2" >/dev/null 2>&1
}
# 1. a compile: gcc -O2 of one of our own sources
record gcc "gcc -std=gnu11 -O2 -D_GNU_SOURCE -Iinclude -Ilib -c lib/util.c \
	-o $tmp/util.o"
# 2. a Python import of common standard-library modules
record python "$py -c 'import json, re, subprocess, http.client, \
email.parser, asyncio, decimal, sqlite3, xml.etree.ElementTree, \
urllib.request'"
# 3. tar of a directory (the repository without build/ and .git), gzip
record tar "tar -czf $tmp/src.tgz --exclude=./build --exclude=./.git ."
# 4. sqlite through Python: 10,000 inserts in 200 transactions, an index
record sqlite "$py $tmp/sqlite.py $tmp/db.sqlite"

echo "# Realistic syscall mix for the \"mean\" instruction counts (make bench)."
echo "# Recorded $(date -u +%Y-%m-%d) on $(uname -sr) $(uname -m) by"
echo "# bench/record-mix.sh: strace -f -c of four workloads, call counts"
echo "# summed: gcc -O2 -c lib/util.c; python3 importing json, re, asyncio,"
echo "# sqlite3, http.client, ...; tar -czf of the repository; sqlite3 via"
echo "# python (10,000 inserts in 200 transactions, an index, a query)."
echo "# name<TAB>count, most frequent first."
cat "$tmp"/*.txt | awk '
	$1 ~ /^[0-9.]+$/ && NF >= 5 && $4 ~ /^[0-9]+$/ { n[$NF] += $4 }
	END { for (k in n) if (k != "total") printf "%s\t%d\n", k, n[k] }' |
	sort -t "$(printf '\t')" -k2,2nr -k1,1
