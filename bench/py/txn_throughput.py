"""Throughput of a confluent_kafka (librdkafka) producer in transactions of a fixed size.

usage: txn_throughput.py BOOTSTRAP TOPIC TXN_SIZE TXN_COUNT [--no-transactions]

Produces TXN_SIZE * TXN_COUNT records of 100 bytes to partition 0: TXN_COUNT transactions of
TXN_SIZE records each, every one committed (commit_transaction waits for every record's
acknowledgement and for EndTxn). With --no-transactions the same records go through the same
loop with an idempotent, non-transactional producer (flush instead of commit), for comparison.
Connecting, init_transactions and one warm-up record (in a transaction of its own) are not timed
and not counted. Prints one JSON object: seconds, records, transactions.
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, txn_size, txn_count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
transactional = "--no-transactions" not in sys.argv[5:]
TIMEOUT = 60
VALUE = b"x" * 100

config = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
          "queue.buffering.max.messages": max(100000, txn_size)}
if transactional:
    config["transactional.id"] = "bench-txn-%d" % txn_size
producer = Producer(config)
if transactional:
    producer.init_transactions(TIMEOUT)


def warm_up():
    """One record, not timed: librdkafka learns the partition's leader only when the first record waits for it."""
    if transactional:
        producer.begin_transaction()
    producer.produce(topic, VALUE, partition=0)
    if transactional:
        producer.commit_transaction(TIMEOUT)
    elif producer.flush(TIMEOUT) > 0:
        raise SystemExit("warm-up record unacknowledged")


warm_up()
started = time.perf_counter()
for _ in range(txn_count):
    if transactional:
        producer.begin_transaction()
    for _ in range(txn_size):
        producer.produce(topic, VALUE, partition=0)
    if transactional:
        producer.commit_transaction(TIMEOUT)
    elif producer.flush(TIMEOUT) > 0:
        raise SystemExit("records left unacknowledged")
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "records": txn_size * txn_count, "transactions": txn_count}))
