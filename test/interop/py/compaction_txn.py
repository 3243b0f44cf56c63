"""Transactions on a compacted topic with confluent-kafka's transactional producer.

usage: compaction_txn.py BOOTSTRAP TOPIC TRANSACTIONAL_ID KEYS ROUNDS FILLER
Each round commits a value for keys t-0..t-(KEYS-1) ("c<round>-t-<i>") and then aborts another
("a<round>-t-<i>"); then FILLER keys f-0.. are committed (so the last round's segment is sealed).
Prints one JSON object: {"records": [[offset, key, value, committed], ...]} from the delivery reports.
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic, transactional_id = sys.argv[1:4]
keys, rounds, filler = (int(a) for a in sys.argv[4:7])
TIMEOUT = 60

p = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
              "batch.size": 16384, "linger.ms": 5})
p.init_transactions(TIMEOUT)
records = []


def transaction(pairs, commit):
    delivered = []

    def report(err, msg):
        if err is not None:
            raise SystemExit("delivery failed: %s" % err)
        delivered.append([msg.offset(), msg.key().decode(), msg.value().decode(), commit])

    p.begin_transaction()
    for key, value in pairs:
        p.produce(topic, value.encode(), key.encode(), partition=0, on_delivery=report)
    p.flush(TIMEOUT)
    if commit:
        p.commit_transaction(TIMEOUT)
    else:
        p.abort_transaction(TIMEOUT)
    records.extend(delivered)


for r in range(rounds):
    transaction([("t-%d" % i, "c%d-t-%d" % (r, i)) for i in range(keys)], True)
    transaction([("t-%d" % i, "a%d-t-%d" % (r, i)) for i in range(keys)], False)
transaction([("f-%d" % i, "filler-%d-%s" % (i, "x" * 40)) for i in range(filler)], True)
print(json.dumps({"records": records}))
